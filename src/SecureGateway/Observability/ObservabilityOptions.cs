namespace SecureGateway.Observability;

/// <summary>The <c>Gateway:Metrics</c> section.</summary>
public sealed record MetricsOptions
{
    public const string Section = "Gateway:Metrics";

    /// <summary>Serve <c>GET /metrics</c> in Prometheus text format; false removes the endpoint and every meter listener.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Require an admin, reviewer or auditor token for <c>/metrics</c>. Off by default, as scrapers usually reach it on
    /// an internal network; module names never appear in metric tags, but upstream URLs (redacted) and rule names do.
    /// </summary>
    public bool RequireAuth { get; init; }
}

/// <summary>The <c>Gateway:Tracing</c> section.</summary>
public sealed record TracingOptions
{
    public const string Section = "Gateway:Tracing";

    /// <summary>OTLP collector (e.g. <c>http://localhost:4317</c>); spans are created and exported only when set.</summary>
    public string? OtlpEndpoint { get; init; }
}
