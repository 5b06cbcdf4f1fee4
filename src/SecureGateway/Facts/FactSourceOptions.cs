namespace SecureGateway.Facts;

/// <summary>The <c>Gateway:VulnDb</c> section: where the Go vulnerability database is synced from, and how often.</summary>
public sealed record VulnDbOptions
{
    public const string Section = "Gateway:VulnDb";

    /// <summary>
    /// A database in the Go vulnerability database layout (<c>index/modules.json</c>, <c>ID/GO-….json</c>): an
    /// <c>https://</c> (or <c>http://</c>) URL, a <c>file://</c> URL or a directory; empty or <c>off</c> stops syncing
    /// (lookups still answer from what was synced before).
    /// </summary>
    public string Source { get; init; } = "https://vuln.go.dev";

    /// <summary>Time between background syncs; the first runs at start.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How old the last successful sync may be before the data is stale (quarantined by the default policy).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(1);
}

/// <summary>
/// The <c>Gateway:MaliciousPackages</c> section: OpenSSF's malicious-packages data (OSV <c>MAL-</c> records in
/// <c>osv/malicious/go/&lt;module path&gt;/MAL-….json</c>) from a checkout of github.com/ossf/malicious-packages.
/// </summary>
public sealed record MaliciousPackagesOptions
{
    public const string Section = "Gateway:MaliciousPackages";

    /// <summary>A directory (or <c>file://</c> URL) holding the repository's <c>osv/</c> folder; <c>off</c> disables.</summary>
    public string Source { get; init; } = "off";

    /// <summary>How often the directory is read again (pull it with git on your own schedule).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How old the last successful read may be before the data is stale (quarantined by the default policy).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(1);
}

/// <summary>The <c>Gateway:Index</c> section: the module index feed mirrored for trusted publication times.</summary>
public sealed record ModuleIndexOptions
{
    public const string Section = "Gateway:Index";

    /// <summary>Base URL of a feed in index.golang.org's format (<c>GET {Url}/index?since=…&amp;limit=…</c>); empty or <c>off</c> disables it.</summary>
    public string Url { get; init; } = "https://index.golang.org";

    /// <summary>How far back the mirror reaches: the first sync starts this long ago, and older entries are pruned.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Time between background syncs; the first runs at start.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Entries asked for per request (index.golang.org allows at most 2000).</summary>
    public int PageSize { get; init; } = 2000;

    /// <summary>How old the last successful sync may be before <c>/readyz</c> reports the index as stale.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>The <c>Gateway:GitHub</c> section: repository facts for github.com modules.</summary>
public sealed record GitHubOptions
{
    public const string Section = "Gateway:GitHub";

    /// <summary>A token for the GitHub API (5000 requests an hour instead of 60); optional.</summary>
    public string? Token { get; init; }

    /// <summary>The REST API root, used as given: <c>https://api.github.com/</c>, or <c>https://HOST/api/v3/</c> for GitHub Enterprise Server; <c>off</c> disables the facts.</summary>
    public string ApiUrl { get; init; } = "https://api.github.com/";

    /// <summary>How long fetched facts (and "repository not found") are reused before GitHub is asked again.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(24);
}

/// <summary>A fact source could not be read, or what it answered is not in its format; the message says which and why.</summary>
public sealed class FactSourceException : Exception
{
    public FactSourceException()
    {
    }

    public FactSourceException(string message)
        : base(message)
    {
    }

    public FactSourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
