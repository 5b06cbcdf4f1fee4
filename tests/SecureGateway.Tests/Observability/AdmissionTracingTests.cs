using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Observability;

/// <summary>The admission span and its step children, as any OpenTelemetry exporter (OTLP included) receives them.</summary>
public sealed class AdmissionTracingTests
{
    private const string Module = "example.com/traced";
    private const string Version = "v1.0.0";

    [Fact]
    public async Task Admission_Listened_OneSpanWithAChildPerStep()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "SecureGateway",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var upstream = StaticGoProxyServer.Start(MetricsEndpointTests.Upstream(Module, Version).RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);

        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, Version, "info").TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var admission = Assert.Single(stopped, a => a.OperationName == "admission" && (string?)a.GetTagItem("module.path") == Module);
        Assert.Equal("admitted", admission.GetTagItem("admission.outcome"));
        // The checksum-DB lookup runs beside the fetch and verification, the licence classification beside its answer.
        var children = stopped.Where(a => a.ParentSpanId == admission.SpanId).Select(a => a.OperationName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            ["admission.checksum_db", "admission.claim", "admission.commit", "admission.facts", "admission.fetch", "admission.licences", "admission.policy", "admission.record", "admission.verify"],
            children);
    }
}
