namespace SecureGateway.Data.Embedded;

/// <summary>The PostgreSQL server programs an embedded cluster is run with, all from one directory.</summary>
internal sealed record PostgresBinaries(string BinDirectory)
{
    private static readonly string[] Required = ["initdb", "pg_ctl", "postgres"];
    private static readonly TimeSpan PgConfigTimeout = TimeSpan.FromSeconds(10);

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string PgCtl => Path.Combine(BinDirectory, "pg_ctl");

    /// <summary>
    /// The configured <paramref name="binDirectory"/> alone, or else the first complete directory of:
    /// <c>pg_config --bindir</c> (pg_config on PATH), the highest version under /usr/lib/postgresql/*/bin,
    /// the directory initdb on PATH links to.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">No candidate holds initdb, pg_ctl and postgres.</exception>
    public static async Task<PostgresBinaries> LocateAsync(string? binDirectory, CancellationToken ct)
    {
        var searched = new List<string>();
        var candidates = binDirectory is not null
            ? [Path.GetFullPath(binDirectory)]
            : await SearchAsync(ct).ConfigureAwait(false);
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            searched.Add(candidate);
            if (Required.All(program => File.Exists(Path.Combine(candidate, program))))
            {
                return new PostgresBinaries(candidate);
            }
        }

        throw new PostgresBinariesNotFoundException(searched);
    }

    private static async Task<List<string>> SearchAsync(CancellationToken ct)
    {
        var candidates = new List<string>();

        // pg_config from libpq-dev alone names a bindir without the server programs; the completeness check skips it.
        if (ProcessRunner.FindProgram("pg_config") is { } pgConfig)
        {
            try
            {
                var result = await ProcessRunner.RunAsync(pgConfig, ["--bindir"], PgConfigTimeout, ct).ConfigureAwait(false);
                if (result.Succeeded && result.StandardOutput.Trim() is { Length: > 0 } bindir)
                {
                    candidates.Add(bindir);
                }
            }
            catch (Exception e) when (e is EmbeddedPostgresException or TimeoutException)
            {
                // A broken pg_config is no reason to stop looking.
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            candidates.AddRange(Directory.EnumerateDirectories(debianRoot)
                .Select(dir => (Dir: dir, Version: ParseVersion(Path.GetFileName(dir))))
                .Where(v => v.Version is not null)
                .OrderByDescending(v => v.Version)
                .Select(v => Path.Combine(v.Dir, "bin")));
        }

        // /usr/local/bin/initdb may be a symlink into the real bin directory, where postgres lives.
        if (ProcessRunner.FindProgram("initdb") is { } initdb)
        {
            var target = File.ResolveLinkTarget(initdb, returnFinalTarget: true)?.FullName ?? initdb;
            candidates.Add(Path.GetDirectoryName(target)!);
        }

        return candidates;
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;
}
