using System.Diagnostics.Metrics;
using SecureGateway.Upstream;

namespace SecureGateway.Observability;

/// <summary>
/// One upstream's fetches: latency by status in one histogram, so its count by <c>status</c> is the error rate too.
/// The tags are built once per upstream (the URL is already redacted).
/// </summary>
internal sealed class UpstreamMetrics
{
    private static readonly Histogram<double> Duration = GatewayTelemetry.Meter.CreateHistogram(
        "securegateway.upstream.duration", "s", "Fetches from an upstream GOPROXY or checksum DB, by upstream and status (ok, not_found, failed, timed_out, too_large)",
        advice: GatewayTelemetry.SecondsBuckets);

    private readonly KeyValuePair<string, object?>[][] tags;

    public UpstreamMetrics(string upstream) =>
        tags = [.. Enum.GetValues<UpstreamStatus>().Select(status => new KeyValuePair<string, object?>[] { new("upstream", upstream), new("status", StatusName(status)) })];

    public void Fetched(UpstreamStatus status, TimeSpan elapsed) => Duration.Record(elapsed.TotalSeconds, tags[(int)status]);

    private static string StatusName(UpstreamStatus status) => status switch
    {
        UpstreamStatus.Ok => "ok",
        UpstreamStatus.NotFound => "not_found",
        UpstreamStatus.Failed => "failed",
        UpstreamStatus.TimedOut => "timed_out",
        UpstreamStatus.TooLarge => "too_large",
        _ => status.ToString(),
    };
}
