using System.Diagnostics.Metrics;
using SecureGateway.Admission;
using SecureGateway.Data.Decisions;
using SecureGateway.Facts;
using SecureGateway.Ledger;
using SecureGateway.Policy;

namespace SecureGateway.Observability;

/// <summary>
/// Gauges over the state of this gateway's services, read when scraped: the quarantine and the ledger queue from
/// memory; the fact data's age and the ledger spool from a snapshot at most <see cref="SnapshotLifetime"/> old, so a
/// scrape reaches the database and the spool directory at most that often. Its meter comes from the host's meter
/// factory, so the gauges (and the services they read) go with the host. A hosted service only to be created when the
/// host starts, once the audit database it reads is up.
/// </summary>
internal sealed partial class GatewayGauges : IHostedService
{
    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan SnapshotTimeout = TimeSpan.FromSeconds(5);

    private readonly FactFreshness freshness;
    private readonly LedgerSpool spool;
    private readonly TimeProvider time;
    private readonly ILogger<GatewayGauges> logger;
    private readonly Lock refreshing = new();
    private Snapshot? snapshot;

    public GatewayGauges(
        IMeterFactory meters, ServingDecisions serving, DecisionFeed feed, DownloadLedger ledger, LedgerSpool spool, FactFreshness freshness,
        LivePolicy policy, TimeProvider time, ILogger<GatewayGauges> logger)
    {
        (this.freshness, this.spool, this.time, this.logger) = (freshness, spool, time, logger);
        var meter = meters.Create(GatewayTelemetry.Name);
        meter.CreateObservableGauge("securegateway.quarantine.versions",
            () => serving.All().Count(current => current.Decision.Outcome == DecisionOutcome.Quarantined), "{version}",
            "Module versions whose current decision is quarantine");
        // In scale-out, how many decisions this replica heard from the others; its own are applied as it records them.
        meter.CreateObservableCounter("securegateway.decisions.read_back", () => feed.ReadBack, "{decision}",
            "Decisions other processes recorded, read from the database on their announcement and applied here");
        meter.CreateObservableGauge("securegateway.ledger.queue", () => ledger.Queued, "{entry}",
            "Download-ledger entries waiting to be written");
        meter.CreateObservableGauge("securegateway.ledger.spool.files", () => Current().SpoolFiles, "{file}",
            "Download-ledger spool files waiting to be replayed into the database");
        // Replicas must decide with one bundle: each reports the revision it decides with, so a mix shows on one graph.
        meter.CreateObservableGauge("securegateway.policy.bundle",
            () => policy.Current is { } bundle ? [new Measurement<int>(1, new KeyValuePair<string, object?>("revision", bundle.Revision))] : Array.Empty<Measurement<int>>(),
            "{bundle}", "The live policy bundle: 1, with its revision as a label; absent while none is live");
        meter.CreateObservableGauge("securegateway.facts.age", ObserveFactAges, "s",
            "Time since each fact source (vulnerabilities, index, malicious) last synced; absent for a source that is off or never synced");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private IEnumerable<Measurement<double>> ObserveFactAges()
    {
        if (Current().Freshness is not { } data)
        {
            return [];
        }

        var now = time.GetUtcNow();
        return data.Sources()
            .Where(source => source.Freshness.SyncedAt is not null)
            .Select(source => new Measurement<double>((now - source.Freshness.SyncedAt!.Value).TotalSeconds, new KeyValuePair<string, object?>("source", source.Name)));
    }

    /// <summary>
    /// Scrapes are synchronous and rare (every 15 s or so), so a stale snapshot is refreshed in place, bounded by
    /// <see cref="SnapshotTimeout"/>; a failed read keeps the fact ages out of the scrape rather than failing it.
    /// </summary>
    private Snapshot Current()
    {
        lock (refreshing)
        {
            if (snapshot is { } fresh && time.GetUtcNow() - fresh.TakenAt < SnapshotLifetime)
            {
                return fresh;
            }

            DataFreshness? data = null;
            try
            {
                using var timeout = new CancellationTokenSource(SnapshotTimeout);
                data = freshness.CurrentAsync(timeout.Token).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogFreshnessUnavailable(e);
            }

            snapshot = new Snapshot(time.GetUtcNow(), data, spool.Pending().Count);
            return snapshot;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Metrics: fact data freshness could not be read; securegateway.facts.age is left out until it can")]
    private partial void LogFreshnessUnavailable(Exception exception);

    private sealed record Snapshot(DateTimeOffset TakenAt, DataFreshness? Freshness, int SpoolFiles);
}
