using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Admin;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Access;

/// <summary>With the audit database away, a stored token cannot be checked: 503, not a misleading 401; the bootstrap token still works.</summary>
public sealed class TokenStoreUnavailableTests
{
    [Fact]
    public async Task Request_DatabaseAway_StoredTokens503BootstrapTokenStillAuthenticates()
    {
        await using var gateway = await GatewayInstance.StartAsync(
            new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri, extraArguments: ["--Gateway:ClientAuth=required"]);
        var auditor = await gateway.CreateTokenAsync("auditor-1", Roles.Auditor);
        var client = await gateway.CreateTokenAsync("client-1", Roles.Client);
        var database = AuditTestDatabase.Of(gateway.ConnectionString);
        await database.MakeUnavailableAsync();
        try
        {
            using var admin = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "admin/consumers?module=m").WithBearer(auditor));
            using var module = await gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "example.com/m/@v/list").WithBasic("u", client));
            using var bootstrap = await gateway.Http.SendAsync(GatewayInstance.AdminRequest("admin/consumers?module=m"));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, admin.StatusCode);
            Assert.Equal("the token cannot be checked: the audit database is unavailable", await ErrorAsync(admin));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, module.StatusCode);
            Assert.Equal("unavailable: the token cannot be checked: the audit database is unavailable\n", await module.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, bootstrap.StatusCode);
            Assert.StartsWith("the audit database is unavailable", await ErrorAsync(bootstrap), StringComparison.Ordinal);
        }
        finally
        {
            await database.MakeAvailableAsync();
        }
    }

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
}
