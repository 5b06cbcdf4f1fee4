using System.Globalization;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;

namespace SecureGateway.Data.Embedded;

/// <summary>
/// The operating-system account initdb and the server run as. PostgreSQL refuses to run as root, so a root
/// process (CI, containers) hands the cluster to the unprivileged <c>postgres</c> user the Debian packages
/// create and runs the programs through <c>runuser</c> (or <c>setpriv</c>); anyone else runs them as themselves.
/// </summary>
internal sealed class ServerAccount
{
    private const string PostgresUser = "postgres";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] SystemDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    private readonly IReadOnlyList<string> _prefix;

    private ServerAccount(string name, IReadOnlyList<string> prefix)
    {
        Name = name;
        _prefix = prefix;
    }

    /// <summary>The user the cluster's files belong to and its processes run as.</summary>
    public string Name { get; }

    /// <summary>Whether programs run as another user than this process.</summary>
    public bool IsSwitched => _prefix.Count > 0;

    public static async Task<ServerAccount> ResolveAsync(CancellationToken ct)
    {
        if (!IsRoot())
        {
            return new ServerAccount(Environment.UserName, []);
        }

        var uid = await IdAsync("-u", ct).ConfigureAwait(false);
        if (ProcessRunner.FindProgram("runuser", SystemDirectories) is { } runuser)
        {
            return new ServerAccount(PostgresUser, [runuser, "-u", PostgresUser, "--"]);
        }

        if (ProcessRunner.FindProgram("setpriv", SystemDirectories) is { } setpriv)
        {
            var gid = await IdAsync("-g", ct).ConfigureAwait(false);
            return new ServerAccount(PostgresUser, [setpriv, $"--reuid={uid}", $"--regid={gid}", "--init-groups", "--"]);
        }

        throw new EmbeddedPostgresException(
            "PostgreSQL refuses to run as root, and neither runuser nor setpriv (util-linux) was found to run it as the 'postgres' user.");
    }

    /// <summary>Runs <paramref name="program"/> as this account.</summary>
    public Task<ProcessResult> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken ct) =>
        IsSwitched
            ? ProcessRunner.RunAsync(_prefix[0], [.. _prefix.Skip(1), program, .. arguments], timeout, ct)
            : ProcessRunner.RunAsync(program, arguments, timeout, ct);

    /// <summary>Makes this account the owner of <paramref name="path"/> (a no-op when not switched).</summary>
    public async Task TakeOwnershipAsync(string path, CancellationToken ct)
    {
        if (!IsSwitched)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync("chown", [$"{PostgresUser}:", path], ToolTimeout, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new EmbeddedPostgresException($"Could not give {path} to the '{PostgresUser}' user: {result.Output}");
        }
    }

    /// <summary>
    /// Lets this account walk down to <paramref name="path"/>: every ancestor directory that lacks
    /// the search bit for others gets o+x (nothing more: no read, no write), and each change is logged.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    public void EnsureCanReach(string path, ILogger logger)
    {
        if (!IsSwitched)
        {
            return;
        }

        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var mode = File.GetUnixFileMode(dir);
            if (!mode.HasFlag(UnixFileMode.OtherExecute))
            {
                File.SetUnixFileMode(dir, mode | UnixFileMode.OtherExecute);
                EmbeddedPostgresLog.MadeTraversable(logger, dir, PostgresUser);
            }
        }
    }

    private static bool IsRoot()
    {
        if (Environment.UserName == "root")
        {
            return true;
        }

        // Environment.UserName asks the user database; a uid 0 under another name is still root.
        try
        {
            var uidLine = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var effectiveUid = uidLine?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2);
            return effectiveUid == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task<string> IdAsync(string flag, CancellationToken ct)
    {
        var result = await ProcessRunner.RunAsync("id", [flag, PostgresUser], ToolTimeout, ct).ConfigureAwait(false);
        var id = result.StandardOutput.Trim();
        if (!result.Succeeded || !int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new EmbeddedPostgresException(
                $"PostgreSQL refuses to run as root, and there is no '{PostgresUser}' system user to run it as"
                + $" (the PostgreSQL server package creates it): {result.Output}");
        }

        return id;
    }
}
