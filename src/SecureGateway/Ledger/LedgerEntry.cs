namespace SecureGateway.Ledger;

/// <summary>
/// Pulls of one artefact by one client, as queued, spooled (one JSON line) and stored in <c>downloads</c>: a single pull
/// as <see cref="DownloadLedger.Record"/> takes it, or identical pulls folded together by <see cref="LedgerBatch"/>.
/// </summary>
public sealed record LedgerEntry(DateTimeOffset Time, string Module, string Version, string Kind, string Client, string? UserAgent)
{
    /// <summary>How many pulls this entry stands for; <see cref="Time"/> is the first of them.</summary>
    public int Count { get; init; } = 1;

    /// <summary>The last of the pulls (the same as <see cref="Time"/> for one).</summary>
    public DateTimeOffset LastTime { get; init; } = Time;

    /// <summary>
    /// An entry the <c>downloads</c> table accepts: text cut to its column lengths and stripped of NUL (which PostgreSQL
    /// text refuses), so one odd request can never make a batch, and the spool holding it, unwritable.
    /// </summary>
    public static LedgerEntry Create(DateTimeOffset time, string module, string version, string kind, string client, string? userAgent) => new(
        time.ToUniversalTime(),
        Fit(module, 1024),
        Fit(version, 255),
        Fit(kind, 8),
        Fit(string.IsNullOrEmpty(client) ? "unknown" : client, 256),
        string.IsNullOrEmpty(userAgent) ? null : Fit(userAgent, 512));

    private static string Fit(string value, int maxLength)
    {
        var clean = value.Contains('\0', StringComparison.Ordinal) ? value.Replace("\0", "", StringComparison.Ordinal) : value;
        return clean.Length <= maxLength ? clean : clean[..maxLength];
    }
}
