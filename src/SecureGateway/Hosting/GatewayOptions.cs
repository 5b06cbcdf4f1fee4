namespace SecureGateway.Hosting;

/// <summary>The <c>Gateway</c> configuration section: the user-facing contract documented in README.</summary>
public sealed record GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Default upstream GOPROXY base URL: http, https or file.</summary>
    public string Upstream { get; init; } = "https://proxy.golang.org";

    /// <summary>Upstreams chosen by module path before the default one, first match wins.</summary>
    public UpstreamRoute[] Upstreams { get; init; } = [];

    /// <summary>Cache, quarantine, temp and embedded-database files.</summary>
    public string DataDir { get; init; } = "data";

    /// <summary>Where verified versions are kept: folders under <see cref="DataDir"/>, or S3-compatible object storage.</summary>
    public Storage.StoreOptions Store { get; init; } = new();

    /// <summary>Folder of the JavaScript policies.</summary>
    public string PolicyDir { get; init; } = "policies";

    /// <summary>A candidate policy bundle on this server whose impact the console can show before it is put live; none when empty.</summary>
    public string? CandidatePolicyDir { get; init; }

    /// <summary>Bootstrap bearer token for the admin API; the admin API refuses every call while unset.</summary>
    public string? AdminToken { get; init; }

    /// <summary>GOSUMDB value for the checksum database.</summary>
    public string? SumDb { get; init; }

    /// <summary>
    /// GOPRIVATE value: module path globs that are fetched only from <see cref="PrivateUpstream"/> and never looked up in
    /// the public checksum database, one setting for both so a private module name cannot leak by a missed second one.
    /// </summary>
    public string? Private { get; init; }

    /// <summary>The GOPROXY that serves <see cref="Private"/> modules; required with it.</summary>
    public string? PrivateUpstream { get; init; }

    /// <summary>GONOSUMDB value: module path globs that skip the checksum database.</summary>
    public string? NoSumDb { get; init; }

    /// <summary>Record every artefact served in the download ledger. Switch off only to measure what the ledger costs.</summary>
    public bool DownloadLedger { get; init; } = true;

    /// <summary>
    /// How long a refusal caused by the bytes an upstream served (checksum mismatch, zip rules, size limits, a garbage
    /// .info) stands before the version is decided afresh: an upstream cannot poison a version for ever.
    /// </summary>
    public TimeSpan RefusalCooldown { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long the process may go without hearing other processes' decisions (PostgreSQL LISTEN) before /readyz fails, so
    /// a load balancer takes it out; it keeps serving from its last view meanwhile.
    /// </summary>
    public TimeSpan DecisionFeedWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Memory for copies of small admitted artefacts (up to 1 MB each) served without touching the disk; 0 turns it off.</summary>
    public long HotSetBytes { get; init; } = 64L << 20;

    /// <summary>
    /// How long the upstream's answer to <c>@v/list</c> and <c>@latest</c> is reused before it is asked again (then the old
    /// answer is served while one refresh runs); 0 asks on every request. Current decisions filter every answer regardless.
    /// </summary>
    public TimeSpan ListCacheTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Memory for the cached upstream answers to <c>@v/list</c> and <c>@latest</c>; the least recently used go first.</summary>
    public long ListCacheBytes { get; init; } = 32L << 20;

    /// <summary>Hosts an upstream may redirect a fetch to over https (comma-separated, <c>*.</c> for subdomains); empty: any.</summary>
    public string? UpstreamRedirectHosts { get; init; }

    /// <summary>Admissions fetched and decided at once by this process; each holds a database connection and staging disk.</summary>
    public int MaxAdmissions { get; init; } = 32;

    /// <summary>Admissions that may wait for a turn; beyond them a first request gets 503 with Retry-After.</summary>
    public int MaxQueuedAdmissions { get; init; } = 1000;

    /// <summary>How long an upstream may stay silent (no header, no body bytes) before the fetch fails.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one upstream fetch may take in all, however steadily bytes arrive (500 MiB at 300 KB/s fits).</summary>
    public TimeSpan UpstreamDeadline { get; init; } = TimeSpan.FromMinutes(30);
}

/// <summary>An upstream for the module paths matching <see cref="Modules"/> (GOPRIVATE-style globs, comma-separated).</summary>
public sealed record UpstreamRoute
{
    public string Modules { get; init; } = "";

    public string Url { get; init; } = "";
}
