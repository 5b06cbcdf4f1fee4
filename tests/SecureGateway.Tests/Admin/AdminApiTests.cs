using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Admin;

public sealed class AdminApiTests : IAsyncLifetime
{
    private const string Module = "example.com/listed";

    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        foreach (var version in new[] { "v1.0.0", "v1.1.0" })
        {
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("l.go", "package listed\n")), DateTimeOffset.UtcNow);
        }

        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task OpenApi_Anonymous_DescribesEveryAdminEndpointWithBearerAuthAndNothingElse()
    {
        using var response = await gateway.Http.GetAsync("openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var operations = root.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                "GET /admin/audit/checkpoint", "GET /admin/audit/events", "GET /admin/audit/verify", "GET /admin/consumers", "GET /admin/decisions", "GET /admin/doctor",
                "GET /admin/quarantine", "GET /admin/reevaluate", "GET /admin/reports/compliance", "POST /admin/quarantine/deny",
                "POST /admin/quarantine/release", "POST /admin/reconsider", "POST /admin/reevaluate", "POST /admin/revoke",
            ],
            operations);
        Assert.Equal("bearer", root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.True(root.GetProperty("security")[0].TryGetProperty("bearer", out _));
        var release = root.GetProperty("paths").GetProperty("/admin/quarantine/release").GetProperty("post");
        Assert.Equal("#/components/schemas/ReviewRequest", release.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token")]
    [InlineData("test-admin-token-longer")]
    public async Task GetDecisions_WithoutValidToken_Returns401(string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/decisions");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GetDecisions_Filters_ReturnMatchingNewestFirst()
    {
        foreach (var version in new[] { "v1.0.0", "v1.1.0" })
        {
            using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, version, "mod").TrimStart('/'));
            response.EnsureSuccessStatusCode();
        }

        var all = await gateway.DecisionsAsync($"?module={Module}&outcome=admitted");
        var one = await gateway.DecisionsAsync($"?module={Module}&version=v1.0.0");
        var limited = await gateway.DecisionsAsync("?limit=1");

        Assert.Equal(["v1.1.0", "v1.0.0"], all.Select(d => d.GetProperty("version").GetString()));
        Assert.Equal("v1.0.0", Assert.Single(one).GetProperty("version").GetString());
        Assert.Equal("v1.1.0", Assert.Single(limited).GetProperty("version").GetString());
        Assert.Empty(await gateway.DecisionsAsync("?outcome=denied"));
        Assert.All(all, d => Assert.StartsWith("h1:", d.GetProperty("goModHash").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetDecisions_BadOutcome_Returns400()
    {
        using var response = await gateway.Http.SendAsync(GatewayInstance.AdminRequest("admin/decisions?outcome=maybe"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task HealthEndpoints_DatabaseUpAndDataDirWritable_Return200()
    {
        using var live = await gateway.Http.GetAsync("healthz");
        using var ready = await gateway.Http.GetAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var report = await ready.Content.ReadAsStringAsync();
        Assert.Contains("audit-database: Healthy", report, StringComparison.Ordinal);
        Assert.Contains("data-directory: Healthy", report, StringComparison.Ordinal);
        Assert.Contains("checksum-db: Degraded (checksum DB verification is off", report, StringComparison.Ordinal);
    }
}
