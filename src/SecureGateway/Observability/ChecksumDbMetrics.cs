using System.Diagnostics.Metrics;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Observability;

/// <summary>
/// Checksum-DB lookups by outcome, tile fetches, and what this process last knew of the trusted head and the fork alarm.
/// The two gauges report the last value seen by a lookup rather than reading the database on every scrape.
/// </summary>
internal static class ChecksumDbMetrics
{
    private static readonly Counter<long> Lookups = GatewayTelemetry.Meter.CreateCounter<long>(
        "securegateway.checksumdb.lookups", "{lookup}", "Checksum-DB verifications by outcome (verified, skipped, refuted, unavailable, forked)");

    private static readonly Counter<long> TileFetches = GatewayTelemetry.Meter.CreateCounter<long>(
        "securegateway.checksumdb.tile_fetches", "{tile}", "Tiles fetched from the checksum DB (cached tiles are not counted)");

    private static readonly KeyValuePair<string, object?>[][] OutcomeTags =
        [.. Enum.GetValues<ChecksumDbOutcome>().Select(outcome => GatewayTelemetry.Tag("outcome", outcome.ToString().ToLowerInvariant()))];

    private static TrustedHead? trusted;
    private static int forked = -1;

    static ChecksumDbMetrics()
    {
        GatewayTelemetry.Meter.CreateObservableGauge("securegateway.checksumdb.trusted_head_size", ObserveTrustedHead, "{record}",
            "Size of the checksum-DB tree head this gateway trusts, as last read or advanced");
        GatewayTelemetry.Meter.CreateObservableGauge("securegateway.checksumdb.fork_alarm", ObserveFork, "{alarm}",
            "1 while the checksum DB showed a history inconsistent with the trusted head (admissions stopped), else 0; absent before the first lookup");
    }

    public static void Looked(ChecksumDbOutcome outcome)
    {
        Lookups.Add(1, OutcomeTags[(int)outcome]);
        if (outcome is ChecksumDbOutcome.Verified or ChecksumDbOutcome.Refuted or ChecksumDbOutcome.Forked)
        {
            Volatile.Write(ref forked, outcome == ChecksumDbOutcome.Forked ? 1 : 0);
        }
    }

    public static void TileFetched() => TileFetches.Add(1);

    public static void Trusted(string database, long treeSize) => Volatile.Write(ref trusted, new TrustedHead(database, treeSize));

    private static IEnumerable<Measurement<long>> ObserveTrustedHead() =>
        Volatile.Read(ref trusted) is { } head ? [new(head.TreeSize, new KeyValuePair<string, object?>("database", head.Database))] : [];

    private static IEnumerable<Measurement<int>> ObserveFork() =>
        Volatile.Read(ref forked) is var value and >= 0 ? [new(value)] : [];

    private sealed record TrustedHead(string Database, long TreeSize);
}
