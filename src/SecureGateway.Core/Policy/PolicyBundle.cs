using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SecureGateway.Policy;

/// <summary>
/// One loaded revision of a policy folder: the rules (<c>*.js</c>), their settings (<c>config.json</c>), the
/// denylist (<c>denylist.txt</c>) and the tests (<c>tests/*.test.js</c>), read once, checked and prepared. A broken
/// folder never loads. Thread-safe: every evaluation runs each rule in a fresh Jint engine built from scripts
/// prepared at load.
/// </summary>
public sealed class PolicyBundle
{
    internal const string ConfigFile = "config.json";
    internal const string DenylistFile = "denylist.txt";
    internal const string TestsFolder = "tests";
    internal const string TestSuffix = ".test.js";

    private readonly IReadOnlyList<CompiledRule> _rules;
    private readonly IReadOnlyList<PolicyTestFile> _tests;
    private readonly string _configJson;

    private PolicyBundle(string directory, string revision, IReadOnlyList<CompiledRule> rules, Denylist denylist,
        string configJson, IReadOnlyList<PolicyTestFile> tests)
    {
        Directory = directory;
        Revision = revision;
        _rules = rules;
        RuleNames = [.. rules.Select(r => r.Name)];
        Denylist = denylist;
        _configJson = configJson;
        _tests = tests;
    }

    /// <summary>The folder's full path.</summary>
    public string Directory { get; }

    /// <summary>
    /// Lowercase hex SHA-256 (64 characters) over the relative path and content of every rule, <c>config.json</c>,
    /// <c>denylist.txt</c> and <c>tests/*.js</c>, in ordinal order of relative path.
    /// </summary>
    public string Revision { get; }

    /// <summary>The rules in evaluation order (ordinal order of file name).</summary>
    public IReadOnlyList<string> RuleNames { get; }

    public Denylist Denylist { get; }

    /// <exception cref="PolicyBundleException">The folder is missing or broken; the message lists every problem.</exception>
    public static PolicyBundle Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var root = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(root))
        {
            throw new PolicyBundleException(root, [$"{root}: no such directory"]);
        }

        var problems = new List<string>();
        var files = ReadFiles(root, problems);
        var revision = ComputeRevision(files);

        var ruleFiles = files.Where(f => !f.Path.Contains('/', StringComparison.Ordinal) && f.Path.EndsWith(".js", StringComparison.Ordinal)).ToList();
        if (ruleFiles.Count == 0)
        {
            problems.Add($"{root}: no rules (*.js files)");
        }

        var ruleNames = ruleFiles.Select(f => f.Path[..^".js".Length]).ToList();
        var configs = ReadConfig(files.FirstOrDefault(f => f.Path == ConfigFile), ruleNames, problems, out var configJson);

        var denylist = Denylist.Empty;
        if (files.FirstOrDefault(f => f.Path == DenylistFile) is { } denylistFile)
        {
            try
            {
                denylist = Denylist.Parse(denylistFile.Text);
            }
            catch (FormatException ex)
            {
                problems.Add($"{DenylistFile}: {ex.Message}");
            }
        }

        var rules = new List<CompiledRule>();
        foreach (var file in ruleFiles)
        {
            var name = file.Path[..^".js".Length];
            if (CompiledRule.TryCompile(name, file.Text, configs.GetValueOrDefault(name, "{}"), problems) is { } rule)
            {
                rules.Add(rule);
            }
        }

        var tests = new List<PolicyTestFile>();
        foreach (var file in files.Where(f => f.Path.StartsWith(TestsFolder + "/", StringComparison.Ordinal)))
        {
            if (PolicyTestFile.TryCompile(file.Path[(TestsFolder.Length + 1)..], file.Text, problems) is { } test
                && test.Name.EndsWith(TestSuffix, StringComparison.Ordinal))
            {
                tests.Add(test);
            }
        }

        if (problems.Count > 0)
        {
            throw new PolicyBundleException(root, problems);
        }

        return new PolicyBundle(root, revision, rules, denylist, configJson, tests);
    }

    /// <summary>
    /// Runs every rule on the facts and returns the strictest verdict. Never throws for rule misbehaviour: a
    /// rule that throws, exceeds a limit or returns garbage yields Quarantine <c>policy error in X.js: …</c>.
    /// </summary>
    public PolicyDecision Evaluate(ModuleFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var ruleFacts = RuleFacts.Of(PolicyJson.Serialize(facts));
        var results = new RuleResult[_rules.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = _rules[i].Evaluate(ruleFacts, configJson: null);
        }

        return new PolicyDecision(PolicyDecision.Strictest(results.Select(r => r.Verdict)), results, Revision);
    }

    /// <summary>
    /// Runs the policy tests: every global function named <c>test_…</c> in <c>tests/*.test.js</c>, each in a fresh
    /// engine (see <c>policies/README.md</c> for the helpers available). A test passes when it returns without throwing.
    /// </summary>
    public PolicyTestReport RunTests() =>
        new PolicyTestRunner(_rules, _configJson).Run(_tests);

    private sealed record PolicyFile(string Path, byte[] Content, string Text);

    private static List<PolicyFile> ReadFiles(string root, List<string> problems)
    {
        var paths = System.IO.Directory.EnumerateFiles(root, "*.js")
            .Concat([Path.Combine(root, ConfigFile), Path.Combine(root, DenylistFile)])
            .Where(File.Exists);
        var testsDir = Path.Combine(root, TestsFolder);
        if (System.IO.Directory.Exists(testsDir))
        {
            paths = paths.Concat(System.IO.Directory.EnumerateFiles(testsDir, "*.js"));
        }

        var strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var files = new List<PolicyFile>();
        foreach (var path in paths)
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            var content = File.ReadAllBytes(path);
            string text;
            try
            {
                text = strictUtf8.GetString(content).TrimStart('\uFEFF');
            }
            catch (DecoderFallbackException)
            {
                problems.Add($"{relative}: not valid UTF-8");
                text = "";
            }

            files.Add(new PolicyFile(relative, content, text));
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    private static string ComputeRevision(IEnumerable<PolicyFile> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.Path));
            hash.AppendData([0]);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, file.Content.LongLength);
            hash.AppendData(length);
            hash.AppendData(file.Content);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>config.json → per-rule settings as JSON text; problems for bad JSON, a non-object, or a section naming no rule.</summary>
    private static Dictionary<string, string> ReadConfig(PolicyFile? file, IReadOnlyCollection<string> ruleNames,
        List<string> problems, out string configJson)
    {
        var configs = new Dictionary<string, string>(StringComparer.Ordinal);
        configJson = "{}";
        if (file is null)
        {
            return configs;
        }

        try
        {
            using var document = JsonDocument.Parse(file.Text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{ConfigFile}: must be a JSON object with one property per rule, e.g. {{ \"age\": {{ \"minimumDays\": 7 }} }}");
                return configs;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!ruleNames.Contains(property.Name))
                {
                    problems.Add($"{ConfigFile}: \"{property.Name}\" names no rule (rules: {string.Join(", ", ruleNames)})");
                }
                else if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    problems.Add($"{ConfigFile}: \"{property.Name}\" must be an object, not {property.Value.ValueKind.ToString().ToLowerInvariant()}");
                }
                else
                {
                    configs[property.Name] = property.Value.GetRawText();
                }
            }

            configJson = document.RootElement.GetRawText();
        }
        catch (JsonException ex)
        {
            problems.Add($"{ConfigFile}:{ex.LineNumber + 1}: invalid JSON: {ex.Message}");
        }

        return configs;
    }
}
