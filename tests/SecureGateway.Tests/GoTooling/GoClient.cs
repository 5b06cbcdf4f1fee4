namespace SecureGateway.Tests.GoTooling;

/// <summary>
/// The real go command as a brand-new user: its own temp HOME, GOPATH, GOMODCACHE and GOCACHE, and an
/// environment with nothing inherited that steers go or git. Dispose deletes all of it.
/// </summary>
/// <remarks>
/// <see cref="Fresh"/> sets GOPROXY, GOSUMDB, <c>GOFLAGS=-mod=mod</c>, empty GONOSUMDB, GOPRIVATE,
/// GONOPROXY and GOINSECURE, <c>GOTOOLCHAIN=local</c>, <c>GOWORK=off</c>, <c>CGO_ENABLED=0</c>, and for git
/// <c>GIT_CONFIG_NOSYSTEM=1</c> and <c>GIT_TERMINAL_PROMPT=0</c>. Instances are safe to use from
/// several tasks at once (each call is its own process).
/// </remarks>
public sealed class GoClient : IDisposable
{
    /// <summary>How long one command may run before its process tree is killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(120);

    private readonly TemporaryDirectory root;
    private readonly Dictionary<string, string> environment;

    private GoClient(TemporaryDirectory root, Dictionary<string, string> environment)
    {
        this.root = root;
        this.environment = environment;
    }

    /// <summary>The temp directory that holds everything this client writes.</summary>
    public string RootDirectory => root.Path;

    /// <summary>The client's HOME (git reads <c>.gitconfig</c> from here).</summary>
    public string HomeDirectory => environment["HOME"];

    /// <summary>The client's GOMODCACHE; <c>cache/download</c> below it is in GOPROXY layout.</summary>
    public string ModuleCache => environment["GOMODCACHE"];

    /// <summary>An empty directory (no go.mod) used when a command is run without a working directory.</summary>
    public string WorkDirectory { get; private init; } = "";

    /// <summary>The complete environment every command of this client starts with.</summary>
    public IReadOnlyDictionary<string, string> Environment => environment;

    /// <summary>Per-command limit; the process tree is killed and <see cref="TimeoutException"/> thrown when exceeded.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Creates a client with fresh directories that fetches modules from <paramref name="goproxy"/>.</summary>
    /// <param name="goproxy">The GOPROXY value, e.g. <c>http://127.0.0.1:5000</c> or <c>direct</c>.</param>
    /// <param name="gosumdb">The GOSUMDB value: <c>off</c>, or <c>"name+hash+key url"</c> for a test checksum DB.</param>
    public static GoClient Fresh(string goproxy, string gosumdb = "off")
    {
        var root = new TemporaryDirectory("sg-goclient-");
        var environment = ExternalProcess.CleanBaseEnvironment();
        environment["HOME"] = root.CreateSubdirectory("home");
        environment["XDG_CONFIG_HOME"] = root.CreateSubdirectory("home/.config");
        environment["GOPATH"] = root.CreateSubdirectory("gopath");
        environment["GOMODCACHE"] = root.CreateSubdirectory("gomodcache");
        environment["GOCACHE"] = root.CreateSubdirectory("gocache");
        environment["GOPROXY"] = goproxy;
        environment["GOSUMDB"] = gosumdb;
        environment["GOFLAGS"] = "-mod=mod";
        environment["GONOSUMDB"] = "";
        environment["GOPRIVATE"] = "";
        environment["GONOPROXY"] = "";
        environment["GOINSECURE"] = "";
        environment["GOTOOLCHAIN"] = "local";
        environment["GOWORK"] = "off";
        environment["CGO_ENABLED"] = "0";
        environment["GIT_CONFIG_NOSYSTEM"] = "1";
        environment["GIT_TERMINAL_PROMPT"] = "0";
        return new GoClient(root, environment) { WorkDirectory = root.CreateSubdirectory("work") };
    }

    /// <summary>Runs <c>go args…</c>.</summary>
    /// <param name="workDir">Working directory; null means the client's empty <see cref="WorkDirectory"/>.</param>
    /// <param name="env">Variables set on top of <see cref="Environment"/> for this command only (may be null).</param>
    /// <param name="args">Arguments after <c>go</c>.</param>
    public Task<CommandResult> RunAsync(string? workDir, IDictionary<string, string>? env, params string[] args) =>
        RunProgramAsync("go", workDir, env, args);

    /// <summary>
    /// Runs <c>go mod download -json M@V…</c> and returns one record per module, failed ones with
    /// <see cref="DownloadedModule.Error"/> set. Throws (with go's stderr) only when go printed no JSON at all.
    /// </summary>
    public async Task<IReadOnlyList<DownloadedModule>> DownloadJsonAsync(params string[] moduleAtVersions)
    {
        var result = await RunAsync(null, null, ["mod", "download", "-json", .. moduleAtVersions]).ConfigureAwait(false);
        IReadOnlyList<DownloadedModule> modules;
        try
        {
            modules = DownloadedModule.ParseJsonStream(result.StandardOutput);
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new InvalidOperationException($"unreadable JSON from go: {exception.Message}\n{result.Describe()}", exception);
        }

        return modules.Count > 0 || moduleAtVersions.Length == 0
            ? modules
            : throw new InvalidOperationException($"go printed no module JSON\n{result.Describe()}");
    }

    /// <summary>Runs any program (git, for instance) with this client's environment.</summary>
    internal Task<CommandResult> RunProgramAsync(string program, string? workDir, IDictionary<string, string>? env, IReadOnlyList<string> args)
    {
        var commandEnvironment = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            commandEnvironment[name] = value;
        }

        return ExternalProcess.RunAsync(program, workDir ?? WorkDirectory, commandEnvironment, args, Timeout);
    }

    /// <summary>Deletes every directory this client created.</summary>
    public void Dispose() => root.Dispose();
}
