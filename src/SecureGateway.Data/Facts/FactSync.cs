namespace SecureGateway.Data.Facts;

/// <summary>
/// The last successful sync of one fact source, by any gateway process or the CLI: how current the data the policies
/// decide on is. One row per kind of source, replaced by each success.
/// </summary>
public sealed class FactSync
{
    /// <summary>Which data: <c>vulnerabilities</c>, <c>index</c> or <c>malicious</c>.</summary>
    public required string Kind { get; set; }

    /// <summary>Where it was synced from, as configured then.</summary>
    public required string Source { get; set; }

    public DateTimeOffset CompletedAt { get; set; }

    /// <summary>Entries the source held at that sync; null where the source has no such count (the index).</summary>
    public int? Entries { get; set; }
}
