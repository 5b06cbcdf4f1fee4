using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SecureGateway.Observability;

/// <summary>
/// The gateway's own meter and activity source, one name for both. Static, like the runtime's own meters: the serving
/// path and the verifiers record without a service lookup, and an instrument costs nothing until something listens.
/// </summary>
internal static class GatewayTelemetry
{
    public const string Name = "SecureGateway";

    public static readonly Meter Meter = new(Name);

    public static readonly ActivitySource Source = new(Name);

    /// <summary>Seconds, from half a millisecond (a policy run) to half a minute (a large zip from a slow upstream).</summary>
    public static readonly InstrumentAdvice<double> SecondsBuckets = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    /// <summary>One tag, built once: recording with it allocates nothing.</summary>
    public static KeyValuePair<string, object?>[] Tag(string key, string value) => [new(key, value)];
}
