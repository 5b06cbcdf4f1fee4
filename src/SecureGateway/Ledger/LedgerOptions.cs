namespace SecureGateway.Ledger;

/// <summary>How the download ledger queues and writes; the defaults suit production, tests shorten the intervals.</summary>
public sealed record LedgerOptions
{
    /// <summary>Entries queued in memory before <see cref="DownloadLedger.Record"/> spools to disk itself.</summary>
    public int Capacity { get; init; } = 100_000;

    /// <summary>Most entries written by one COPY.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>Longest an entry waits in the queue for its batch to fill.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>While the database is down: how often it is tried again (batches go to the spool meanwhile).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest one write may take before the database counts as down.</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
