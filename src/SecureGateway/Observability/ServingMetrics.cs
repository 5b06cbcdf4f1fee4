using System.Diagnostics.Metrics;
using SecureGateway.Storage;

namespace SecureGateway.Observability;

/// <summary>Where an admitted artefact was found when asked for.</summary>
internal enum CacheTier
{
    /// <summary>The in-memory hot set.</summary>
    Memory,

    /// <summary>The cache folder.</summary>
    Disk,

    /// <summary>Neither: fetched from upstream again.</summary>
    Miss,
}

/// <summary>
/// The cached GET path's counters. It is the benchmarked path (tens of thousands of requests a second), so every tag
/// set is built once here and a request only indexes into them.
/// </summary>
internal static class ServingMetrics
{
    private static readonly Counter<long> CacheLookups = GatewayTelemetry.Meter.CreateCounter<long>(
        "securegateway.cache.lookups", "{lookup}", "Admitted artefacts asked for, by where they were found (tier: memory, disk, miss) and kind");

    private static readonly Counter<long> ServedBytes = GatewayTelemetry.Meter.CreateCounter<long>(
        "securegateway.served.bytes", "By", "Artefact bytes sent to GET requests, by kind");

    private static readonly KeyValuePair<string, object?>[][] KindTags =
        [.. Enum.GetValues<ArtefactKind>().Select(kind => GatewayTelemetry.Tag("kind", kind.Extension()))];

    private static readonly KeyValuePair<string, object?>[][][] LookupTags =
    [
        .. Enum.GetValues<CacheTier>().Select(tier => Enum.GetValues<ArtefactKind>()
            .Select(kind => new KeyValuePair<string, object?>[] { new("tier", tier.ToString().ToLowerInvariant()), new("kind", kind.Extension()) })
            .ToArray()),
    ];

    public static void Looked(CacheTier tier, ArtefactKind kind) => CacheLookups.Add(1, LookupTags[(int)tier][(int)kind]);

    public static void Served(ArtefactKind kind, long length) => ServedBytes.Add(length, KindTags[(int)kind]);
}
