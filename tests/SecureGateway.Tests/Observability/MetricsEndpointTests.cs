using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Observability;

/// <summary><c>GET /metrics</c> after real traffic: an admission from a static upstream, then cached GETs.</summary>
public sealed class MetricsEndpointTests
{
    private const string Module = "example.com/metered";
    private const string Version = "v1.0.0";

    [Fact]
    public async Task Metrics_AfterAdmissionAndCachedGets_ShowGatewayHttpAndUpstreamInstruments()
    {
        await using var upstream = StaticGoProxyServer.Start(Upstream().RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        foreach (var extension in new[] { "info", "mod", "zip", "zip" })
        {
            using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, Version, extension).TrimStart('/'));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var text = "";
        await Eventually.HoldsAsync(async () =>
        {
            text = await ScrapeAsync(gateway);
            return text.Contains("http_server_request_duration_seconds_count", StringComparison.Ordinal);
        }, "/metrics shows the HTTP server's requests");

        Assert.Contains("text/plain", (await gateway.Http.GetAsync("metrics")).Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Matches(@"securegateway_admissions_total\{[^}]*outcome=""admitted""[^}]*rule=""none""[^}]*\} [1-9]", text);
        foreach (var step in new[] { "fetch", "verify", "checksum_db", "facts", "policy", "record", "commit" })
        {
            Assert.Matches($@"securegateway_admission_step_duration_seconds_count\{{[^}}]*step=""{step}""[^}}]*\}} [1-9]", text);
        }

        Assert.Matches(@"securegateway_admission_duration_seconds_bucket\{[^}]*outcome=""admitted""", text);
        Assert.Matches(@"securegateway_cache_lookups_total\{[^}]*kind=""zip""[^}]*tier=""memory""[^}]*\} [1-9]", text);
        Assert.Matches(@"securegateway_cache_lookups_total\{[^}]*kind=""zip""[^}]*tier=""disk""[^}]*\} [1-9]", text);
        Assert.Matches(@"securegateway_served_bytes_total\{[^}]*kind=""zip""[^}]*\} [1-9]", text);
        Assert.Matches($@"securegateway_upstream_duration_seconds_count\{{[^}}]*status=""ok""[^}}]*upstream=""{upstream.Url.TrimEnd('/')}""[^}}]*\}} [1-9]", text);
        Assert.Contains("securegateway_quarantine_versions", text, StringComparison.Ordinal);
        var revision = gateway.Services.GetRequiredService<SecureGateway.Policy.LivePolicy>().Current!.Revision;
        Assert.Matches($@"securegateway_policy_bundle\{{[^}}]*revision=""{revision}""[^}}]*\}} 1", text);
        Assert.Contains("securegateway_ledger_queue", text, StringComparison.Ordinal);
        Assert.Contains("http_client_request_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("aspnetcore_memory_pool_allocated_bytes", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aspnetcore_memory_pool_rented", text, StringComparison.Ordinal);
        Assert.DoesNotContain("aspnetcore_memory_pool_pooled", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_Disabled_NotFound()
    {
        await using var gateway = await GatewayInstance.StartAsync("http://127.0.0.1:9", null, null, "--Gateway:Metrics:Enabled=false");

        using var response = await gateway.Http.GetAsync("metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_RequireAuth_AnonymousRefusedWithReasonAndAdminServed()
    {
        await using var gateway = await GatewayInstance.StartAsync("http://127.0.0.1:9", null, null, "--Gateway:Metrics:RequireAuth=true");

        using var anonymous = await gateway.Http.GetAsync("metrics");
        using var admin = await gateway.Http.SendAsync(GatewayInstance.AdminRequest("metrics"));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.NotEmpty((await anonymous.Content.ReadAsStringAsync()).Trim());
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    internal static GoProxyLayout Upstream(string module = Module, string version = Version)
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(module, version, $"module {module}\n",
            GoProxyLayout.ModuleFiles(module, version, ("go.mod", $"module {module}\n"), ("p.go", "package p\n")), DateTimeOffset.UtcNow.AddDays(-30));
        return layout;
    }

    private static async Task<string> ScrapeAsync(GatewayInstance gateway)
    {
        using var response = await gateway.Http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
