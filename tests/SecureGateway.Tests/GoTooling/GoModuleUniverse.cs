using System.Diagnostics;
using System.Globalization;

namespace SecureGateway.Tests.GoTooling;

/// <summary>A module version of the universe and the commit time its .info reports.</summary>
public sealed record ModuleVersion(string Path, string Version, DateTimeOffset Time)
{
    /// <summary><c>Path@Version</c>, as the go command takes it.</summary>
    public override string ToString() => $"{Path}@{Version}";
}

/// <summary>
/// A small universe of real Go modules, made by the go command itself: local git repositories with
/// tags, reached through <c>url.&lt;dir&gt;.insteadOf https://example.com/&lt;name&gt;</c> in a private HOME,
/// downloaded with <c>GOPROXY=direct GOSUMDB=off</c>. <see cref="ProxyDirectory"/> is then a GOPROXY-layout
/// folder written by Go, and <see cref="Modules"/> carry Go's own <c>Sum</c>/<c>GoModSum</c>.
/// </summary>
/// <remarks>
/// Use <see cref="SharedAsync"/> (built once per test run, deleted when the process exits) or
/// <see cref="GoModuleUniverseFixture"/>. Treat the shared directories as read-only.
/// </remarks>
public sealed class GoModuleUniverse : IDisposable
{
    /// <summary>v1.0.0 and v1.1.0: go.mod, alpha.go, LICENSE (v1.1.0 changes alpha.go).</summary>
    public const string Alpha = "example.com/alpha.git";

    /// <summary>v2.0.0 in the major sub-directory <c>v2/</c> of repository beta (root has only a README).</summary>
    public const string BetaV2 = "example.com/beta.git/v2";

    /// <summary>v0.1.0; upper-case letter, so its proxy path is <c>example.com/!upper.git</c>.</summary>
    public const string Upper = "example.com/Upper.git";

    /// <summary>v1.0.0 without a go.mod; its .mod is synthesized by Go as <c>module example.com/nomod.git</c>.</summary>
    public const string NoGoMod = "example.com/nomod.git";

    /// <summary>v1.0.0 with sub-directories and several files; <c>sub/</c> is excluded (a nested module).</summary>
    public const string Multi = "example.com/multi.git";

    /// <summary>v1.0.0 of the nested module in <c>sub/</c> of repository multi (tag <c>sub/v1.0.0</c>).</summary>
    public const string MultiSub = "example.com/multi.git/sub";

    private static readonly Lazy<Task<GoModuleUniverse>> Shared = new(BuildSharedAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly GoClient client;

    private GoModuleUniverse(GoClient client, string repositoriesDirectory, IReadOnlyList<DownloadedModule> modules, TimeSpan buildDuration)
    {
        this.client = client;
        RepositoriesDirectory = repositoriesDirectory;
        Modules = modules;
        BuildDuration = buildDuration;
    }

    /// <summary>Every module version of the universe with its fixed commit time (= .info Time).</summary>
    public static IReadOnlyList<ModuleVersion> Versions { get; } =
    [
        new(Alpha, "v1.0.0", Utc("2021-01-10T10:00:00Z")),
        new(Alpha, "v1.1.0", Utc("2021-02-20T11:30:00Z")),
        new(BetaV2, "v2.0.0", Utc("2021-03-03T03:03:03Z")),
        new(Upper, "v0.1.0", Utc("2021-04-04T04:04:04Z")),
        new(NoGoMod, "v1.0.0", Utc("2021-05-05T05:05:05Z")),
        new(Multi, "v1.0.0", Utc("2021-06-06T06:06:06Z")),
        new(MultiSub, "v1.0.0", Utc("2021-06-06T06:06:06Z")),
    ];

    /// <summary><c>$GOMODCACHE/cache/download</c>: a GOPROXY-layout folder (list, .info, .mod, .zip) written by Go.</summary>
    public string ProxyDirectory => Path.Combine(client.ModuleCache, "cache", "download");

    /// <summary>The module versions as <c>go mod download -json</c> reported them, in <see cref="Versions"/> order.</summary>
    public IReadOnlyList<DownloadedModule> Modules { get; }

    /// <summary>Where the git repositories live (alpha, beta, Upper, nomod, multi).</summary>
    public string RepositoriesDirectory { get; }

    /// <summary>The private HOME whose .gitconfig maps https://example.com/&lt;name&gt; to the repositories.</summary>
    public string HomeDirectory => client.HomeDirectory;

    /// <summary>How long building the repositories and downloading took.</summary>
    public TimeSpan BuildDuration { get; }

    /// <summary>The universe shared by every test of this run (built on first use).</summary>
    public static Task<GoModuleUniverse> SharedAsync() => Shared.Value;

    /// <summary>Builds a new universe in its own temp directory; the caller disposes it.</summary>
    public static async Task<GoModuleUniverse> BuildAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        var client = GoClient.Fresh("direct");
        try
        {
            var repositories = Directory.CreateDirectory(Path.Combine(client.RootDirectory, "repos")).FullName;
            await GitAsync(client, null, "config", "--global", "user.name", "SecureGateway Tests").ConfigureAwait(false);
            await GitAsync(client, null, "config", "--global", "user.email", "tests@securegateway.invalid").ConfigureAwait(false);
            await GitAsync(client, null, "config", "--global", "init.defaultBranch", "main").ConfigureAwait(false);
            foreach (var repository in Repositories)
            {
                await CreateRepositoryAsync(client, Path.Combine(repositories, repository.Name), repository).ConfigureAwait(false);
            }

            var modules = await client.DownloadJsonAsync([.. Versions.Select(v => v.ToString())]).ConfigureAwait(false);
            var failed = modules.Where(m => !m.Succeeded || m.Sum.Length == 0).ToList();
            if (failed.Count > 0 || modules.Count != Versions.Count)
            {
                throw new InvalidOperationException(
                    "go mod download failed for the universe: " + string.Join("; ", failed.Select(m => $"{m}: {m.Error}")));
            }

            return new GoModuleUniverse(client, repositories, modules, stopwatch.Elapsed);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The download record of one module version; throws when the universe has no such version.</summary>
    public DownloadedModule Get(string modulePath, string version) =>
        Modules.SingleOrDefault(m => m.Path == modulePath && m.Version == version)
        ?? throw new KeyNotFoundException($"{modulePath}@{version} is not in the universe");

    /// <summary>Deletes the repositories, module cache and HOME.</summary>
    public void Dispose() => client.Dispose();

    private static async Task<GoModuleUniverse> BuildSharedAsync()
    {
        var universe = await BuildAsync().ConfigureAwait(false);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                universe.Dispose();
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Best effort: the directory is in the temp folder anyway.
            }
        };
        return universe;
    }

    private static async Task CreateRepositoryAsync(GoClient client, string directory, Repository repository)
    {
        Directory.CreateDirectory(directory);
        await GitAsync(client, null, "config", "--global", "--add", $"url.{directory}.insteadOf", $"https://example.com/{repository.Name}").ConfigureAwait(false);
        await GitAsync(client, directory, "init", "--quiet").ConfigureAwait(false);
        foreach (var commit in repository.Commits)
        {
            foreach (var (relativePath, content) in commit.Files)
            {
                var file = Path.Combine(directory, relativePath);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllTextAsync(file, content).ConfigureAwait(false);
            }

            var date = commit.Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var dates = new Dictionary<string, string> { ["GIT_AUTHOR_DATE"] = date, ["GIT_COMMITTER_DATE"] = date };
            await GitAsync(client, directory, dates, "add", "--all").ConfigureAwait(false);
            await GitAsync(client, directory, dates, "commit", "--quiet", "--message", $"release {string.Join(", ", commit.Tags)}").ConfigureAwait(false);
            foreach (var tag in commit.Tags)
            {
                await GitAsync(client, directory, dates, "tag", tag).ConfigureAwait(false);
            }
        }
    }

    private static Task GitAsync(GoClient client, string? directory, params string[] args) =>
        GitAsync(client, directory, null, args);

    private static async Task GitAsync(GoClient client, string? directory, IDictionary<string, string>? env, params string[] args) =>
        (await client.RunProgramAsync("git", directory, env, args).ConfigureAwait(false)).EnsureSuccess();

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static DateTimeOffset TimeOf(string modulePath, string version) =>
        Versions.Single(v => v.Path == modulePath && v.Version == version).Time;

    private sealed record Commit(DateTimeOffset Time, string[] Tags, Dictionary<string, string> Files);

    private sealed record Repository(string Name, Commit[] Commits);

    private const string Mit = "MIT License\n\nCopyright (c) 2021 SecureGateway tests\n";

    private static readonly Repository[] Repositories =
    [
        new("alpha",
        [
            new(TimeOf(Alpha, "v1.0.0"), ["v1.0.0"], new()
            {
                ["go.mod"] = $"module {Alpha}\n\ngo 1.19\n",
                ["alpha.go"] = "package alpha\n\n// Name is the module's name.\nfunc Name() string { return \"alpha\" }\n",
                ["LICENSE"] = Mit,
            }),
            new(TimeOf(Alpha, "v1.1.0"), ["v1.1.0"], new()
            {
                ["alpha.go"] = "package alpha\n\n// Name is the module's name.\nfunc Name() string { return \"alpha\" }\n\n// Version is the release.\nfunc Version() string { return \"v1.1.0\" }\n",
            }),
        ]),
        new("beta",
        [
            new(TimeOf(BetaV2, "v2.0.0"), ["v2.0.0"], new()
            {
                ["README.md"] = "beta keeps v2 in a major sub-directory\n",
                ["v2/go.mod"] = $"module {BetaV2}\n\ngo 1.19\n",
                ["v2/beta.go"] = "package beta\n\n// Major is the major version.\nconst Major = 2\n",
            }),
        ]),
        new("Upper",
        [
            new(TimeOf(Upper, "v0.1.0"), ["v0.1.0"], new()
            {
                ["go.mod"] = $"module {Upper}\n\ngo 1.19\n",
                ["upper.go"] = "package upper\n\n// Shout is loud.\nconst Shout = \"UPPER\"\n",
            }),
        ]),
        new("nomod",
        [
            new(TimeOf(NoGoMod, "v1.0.0"), ["v1.0.0"], new()
            {
                ["nomod.go"] = "package nomod\n\n// Legacy predates modules.\nconst Legacy = true\n",
                ["LICENSE"] = Mit,
            }),
        ]),
        new("multi",
        [
            new(TimeOf(Multi, "v1.0.0"), ["v1.0.0", "sub/v1.0.0"], new()
            {
                ["go.mod"] = $"module {Multi}\n\ngo 1.19\n",
                ["multi.go"] = "package multi\n\nimport \"example.com/multi.git/internal/util\"\n\n// Twice doubles.\nfunc Twice(n int) int { return util.Add(n, n) }\n",
                ["internal/util/util.go"] = "package util\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n",
                ["cmd/multi/main.go"] = "package main\n\nimport \"example.com/multi.git\"\n\nfunc main() { println(multi.Twice(21)) }\n",
                ["testdata/data.txt"] = "some test data\n",
                ["README.md"] = "# multi\n",
                ["LICENSE"] = Mit,
                ["sub/go.mod"] = $"module {MultiSub}\n\ngo 1.19\n",
                ["sub/sub.go"] = "package sub\n\n// Nested is in a nested module.\nconst Nested = true\n",
            }),
        ]),
    ];
}

/// <summary>
/// xunit fixture (class or collection) giving the shared <see cref="GoModuleUniverse"/>; the universe
/// is built once per test run whichever fixture instance asks first.
/// </summary>
public sealed class GoModuleUniverseFixture : IAsyncLifetime
{
    private GoModuleUniverse? universe;

    /// <summary>The shared universe (available once xunit has initialized the fixture).</summary>
    public GoModuleUniverse Universe =>
        universe ?? throw new InvalidOperationException("the fixture has not been initialized by xunit");

    /// <inheritdoc/>
    public async Task InitializeAsync() => universe = await GoModuleUniverse.SharedAsync().ConfigureAwait(false);

    /// <inheritdoc/>
    public Task DisposeAsync() => Task.CompletedTask;
}
