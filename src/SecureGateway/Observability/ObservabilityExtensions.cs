using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SecureGateway.Admin;

namespace SecureGateway.Observability;

public static class ObservabilityExtensions
{
    /// <summary>Npgsql's own meter and activity source (connection pool, command durations, one span per command).</summary>
    private const string Npgsql = "Npgsql";

    private const string MetricsPath = "/metrics";

    /// <summary>
    /// Kestrel's memory pool counts every 4 KB block rented and returned: a 1 MB zip answer made over 500 measurements,
    /// 5% of the gateway's CPU when serving such zips (their throughput rose 8%, a 20 KB zip's 11%, without them). What
    /// the pool allocated and evicted is still shown (aspnetcore_memory_pool_allocated_bytes and _evicted_bytes).
    /// </summary>
    private const string KestrelPoolRented = "aspnetcore.memory_pool.rented";

    private const string KestrelPoolPooled = "aspnetcore.memory_pool.pooled";

    /// <summary>
    /// OpenTelemetry for <c>Gateway:Metrics</c> and <c>Gateway:Tracing</c>: the gateway's meter with ASP.NET Core,
    /// HttpClient, runtime and Npgsql metrics for the Prometheus endpoint; spans only when an OTLP endpoint is set, as
    /// every request then carries an activity.
    /// </summary>
    public static void AddGatewayObservability(this WebApplicationBuilder builder)
    {
        var metrics = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var tracing = builder.Configuration.GetSection(TracingOptions.Section).Get<TracingOptions>() ?? new TracingOptions();
        builder.Services.AddSingleton(Options.Create(metrics));
        var otlp = OtlpEndpoint(tracing);
        if (!metrics.Enabled && otlp is null)
        {
            return;
        }

        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("securegateway"));
        if (metrics.Enabled)
        {
            builder.Services.AddHostedService<GatewayGauges>();
            telemetry.WithMetrics(meters => meters
                .AddMeter(GatewayTelemetry.Name, Npgsql)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddView(KestrelPoolRented, MetricStreamConfiguration.Drop)
                .AddView(KestrelPoolPooled, MetricStreamConfiguration.Drop)
                .AddPrometheusExporter());
        }

        if (otlp is not null)
        {
            telemetry.WithTracing(spans => spans
                .AddSource(GatewayTelemetry.Name, Npgsql)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(exporter => exporter.Endpoint = otlp));
        }
    }

    /// <summary><c>GET /metrics</c> when <c>Gateway:Metrics:Enabled</c>; behind an admin, reviewer or auditor token when <c>RequireAuth</c>.</summary>
    public static void MapGatewayMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
        {
            return;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (options.RequireAuth)
        {
            endpoint.RequireAuthorization(AdminPolicies.Read);
        }
    }

    private static Uri? OtlpEndpoint(TracingOptions tracing)
    {
        if (string.IsNullOrWhiteSpace(tracing.OtlpEndpoint))
        {
            return null;
        }

        return Uri.TryCreate(tracing.OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidOperationException($"{TracingOptions.Section}:OtlpEndpoint {tracing.OtlpEndpoint}: use an http or https URL, e.g. http://localhost:4317");
    }
}
