using System.Globalization;
using Acornima;
using Jint;
using Jint.Runtime;

namespace SecureGateway.Policy;

/// <summary>
/// The one hardened Jint profile every policy script runs under: no CLR interop (Jint's default, never
/// <c>AllowClr</c>), strict mode, no string compilation (<c>eval</c>, <c>new Function</c>), and real limits on
/// time, statements, memory and recursion. Each limit is a positive value below its type's MaxValue, because
/// Jint silently treats a non-positive or MaxValue limit as no limit at all.
/// </summary>
/// <remarks>
/// Jint re-arms its constraints on every entry into the engine (Execute, Invoke, …). A rule evaluation is
/// therefore built as a single entry (see <see cref="PolicyBundle"/>), so that the limits bound the whole
/// evaluation of a rule: parsing the facts, the rule file's top-level code, the rule call and the conversion
/// of its result.
/// </remarks>
internal sealed class PolicySandbox
{
    /// <summary>The profile for rule evaluations.</summary>
    public static PolicySandbox Rules { get; } = new(TimeSpan.FromMilliseconds(250), 100_000, 16L * 1024 * 1024, 64);

    /// <summary>
    /// The profile for one policy test function. Same hardening; larger budgets because a test calls several
    /// rules (each rule call runs in its own engine under <see cref="Rules"/>) and its allocations count here too.
    /// </summary>
    public static PolicySandbox Tests { get; } = new(TimeSpan.FromSeconds(2), 1_000_000, 128L * 1024 * 1024, 64);

    private PolicySandbox(TimeSpan timeout, int maxStatements, long memoryLimit, int maxRecursion)
    {
        Timeout = timeout;
        MaxStatements = maxStatements;
        MemoryLimit = memoryLimit;
        MaxRecursion = maxRecursion;
        var options = new Options
        {
            Strict = true,
        };
        options.DisableStringCompilation();
        options.TimeoutInterval(timeout);
        options.MaxStatements(maxStatements);
        options.LimitMemory(memoryLimit);
        options.LimitRecursion(maxRecursion);
        // Recursion that repeats no function definition (getters, coercions, …) is not counted by
        // LimitRecursion; this turns a would-be native stack overflow into a RangeError.
        options.Constraints.StackOverflowGuard = true;
        options.Constraints.RegexTimeout = timeout;
        options.Constraints.MaxArraySize = 10_000_000;
        Options = options;
    }

    public TimeSpan Timeout { get; }

    public int MaxStatements { get; }

    public long MemoryLimit { get; }

    public int MaxRecursion { get; }

    /// <summary>Shared by every engine of this profile (Jint registers per-engine constraint instances).</summary>
    public Options Options { get; }

    public Engine CreateEngine() => new(Options);

    /// <summary>Prepares a script once; the result is thread-safe and reused by every engine.</summary>
    /// <exception cref="PolicyBundleException">The script does not parse; the message is <c>file:line:column: description</c>.</exception>
    public static Prepared<Acornima.Ast.Script> Prepare(string code, string file)
    {
        try
        {
            return Engine.PrepareScript(code, file, strict: true);
        }
        catch (Exception ex) when (FindParseError(ex) is { } parse)
        {
            throw new PolicyBundleException(
                string.Create(CultureInfo.InvariantCulture, $"{file}:{parse.LineNumber}:{parse.Column}: {parse.Description}"));
        }
        catch (Exception ex) when (ex is JintException or ParseErrorException)
        {
            throw new PolicyBundleException($"{file}: {ex.Message}");
        }
    }

    /// <summary>
    /// What went wrong, for <c>policy error in X.js: …</c> and failed tests, with the script line when known and
    /// within the first <paramref name="sourceLines"/> lines (the author's file rather than an appended driver).
    /// </summary>
    public string Describe(Exception ex, int sourceLines = int.MaxValue) => ex switch
    {
        TimeoutException => string.Create(CultureInfo.InvariantCulture, $"timed out after {Timeout.TotalMilliseconds:0} ms"),
        StatementsCountOverflowException => string.Create(CultureInfo.InvariantCulture, $"exceeded the limit of {MaxStatements} statements"),
        MemoryLimitExceededException => string.Create(CultureInfo.InvariantCulture, $"exceeded the memory limit of {MemoryLimit / (1024 * 1024)} MB"),
        RecursionDepthOverflowException => string.Create(CultureInfo.InvariantCulture, $"exceeded the recursion limit of {MaxRecursion}"),
        JavaScriptException { Message: "undefined" or "" } js when js.Error.IsObject() =>
            WithLine("threw an object that is not an Error", js, sourceLines),
        _ => WithLine(ex.Message, ex, sourceLines),
    };

    private static string WithLine(string message, Exception ex, int sourceLines) =>
        JintException.TryGetJavaScriptLocation(ex, out var location) && location.Start.Line > 0 && location.Start.Line <= sourceLines
            ? string.Create(CultureInfo.InvariantCulture, $"{message} (line {location.Start.Line})")
            : message;

    private static ParseErrorException? FindParseError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is ParseErrorException parse)
            {
                return parse;
            }
        }

        return null;
    }
}
