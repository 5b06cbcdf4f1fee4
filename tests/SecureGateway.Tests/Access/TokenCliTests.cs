using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureGateway.Access;
using SecureGateway.Audit;
using SecureGateway.Data.Events;
using SecureGateway.Hosting;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Access;

/// <summary><c>token create | revoke</c>, run as the operator runs it: the gateway's own executable against the audit database.</summary>
public sealed partial class TokenCliTests
{
    [Fact]
    public async Task Create_NameAndRoles_PrintsATokenThatAuthenticatesAndRecordsTheAct()
    {
        var database = await AuditTestDatabase.CreateAsync();

        var (exit, stdout, stderr) = await GatewayCli.RunAsync(
            "token", "create", "--name", "release-bot", "--role", "reviewer", "--role", "client",
            $"--ConnectionStrings:Audit={database.ConnectionString}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}");

        Assert.True(exit == 0, stderr);
        Assert.Contains("token \"release-bot\" created with role reviewer, client", stdout, StringComparison.Ordinal);
        var token = PrintedToken().Match(stdout).Value;
        using var tokens = new ApiTokens(database.Contexts, new AuditEventLog(database.Contexts), Options.Create(new GatewayOptions()));
        var identity = await tokens.FindAsync(token, CancellationToken.None);
        Assert.Equal("release-bot", identity!.Name);
        Assert.Equal(["client", "reviewer"], identity.Roles);
        await using var db = await database.Contexts.CreateDbContextAsync();
        var recorded = await db.Events.SingleAsync(e => e.Kind == AuditEventKinds.TokenCreated);
        Assert.EndsWith("(cli)", recorded.Actor, StringComparison.Ordinal);
        Assert.DoesNotContain(token, recorded.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownRole_Exit1WithReasonAndNothingStored()
    {
        var database = await AuditTestDatabase.CreateAsync();

        var (exit, stdout, stderr) = await GatewayCli.RunAsync(
            "token", "create", "--name", "x", "--role", "root",
            $"--ConnectionStrings:Audit={database.ConnectionString}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}");

        Assert.Equal(1, exit);
        Assert.Contains("not created: unknown role \"root\"", stderr, StringComparison.Ordinal);
        Assert.DoesNotMatch(PrintedToken(), stdout);
        await using var db = await database.Contexts.CreateDbContextAsync();
        Assert.Equal(0, await db.ApiTokens.CountAsync());
    }

    [Fact]
    public async Task Revoke_TokenInUseByARunningGateway_RefusedThereAtOnceRecordedAndNameReusable()
    {
        await using var gateway = await GatewayInstance.StartAsync(new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri);
        string[] config = [$"--ConnectionStrings:Audit={gateway.ConnectionString}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}"];
        var token = await gateway.CreateTokenAsync("carol", "auditor");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, token)); // now cached

        var (exit, stdout, stderr) = await GatewayCli.RunAsync(["token", "revoke", "--name", "carol", .. config]);
        var again = await GatewayCli.RunAsync(["token", "revoke", "--name", "carol", .. config]);
        var bootstrap = await GatewayCli.RunAsync(["token", "revoke", "--name", "admin", .. config]);

        Assert.True(exit == 0, stderr);
        Assert.Contains("token \"carol\" revoked (audit event ", stdout, StringComparison.Ordinal);
        await Eventually.HoldsAsync(async () => await StatusAsync(gateway, token) == HttpStatusCode.Unauthorized, "the revoked token is refused");
        Assert.Equal(1, again.Exit);
        Assert.Contains("not revoked: no valid token is named \"carol\"", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, bootstrap.Exit);
        Assert.Contains("remove Gateway:AdminToken", bootstrap.Stderr, StringComparison.Ordinal);
        await using (var db = await AuditTestDatabase.Of(gateway.ConnectionString).Contexts.CreateDbContextAsync())
        {
            var revoked = await db.Events.SingleAsync(e => e.Kind == AuditEventKinds.TokenRevoked);
            Assert.Equal("carol", revoked.Subject);
            Assert.EndsWith("(cli)", revoked.Actor, StringComparison.Ordinal);
            Assert.NotNull((await db.ApiTokens.SingleAsync(t => t.Name == "carol")).RevokedAt);
        }

        var reissued = await gateway.CreateTokenAsync("carol", "auditor");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(gateway, reissued));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(gateway, token));
    }

    private static async Task<HttpStatusCode> StatusAsync(GatewayInstance gateway, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/audit/events").WithBearer(token);
        using var response = await gateway.Http.SendAsync(request);
        return response.StatusCode;
    }

    [GeneratedRegex("sgw_[A-Za-z0-9_-]{43}")]
    private static partial Regex PrintedToken();
}
