using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureGateway.Access;
using SecureGateway.Admin;
using SecureGateway.Audit;
using SecureGateway.Data.Events;
using SecureGateway.Hosting;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Access;

public sealed class ApiTokensTests
{
    [Fact]
    public async Task Create_NewName_StoresOnlyTheHashAndRecordsAnEventWithoutTheToken()
    {
        var database = await AuditTestDatabase.CreateAsync();
        using var tokens = Tokens(database);

        var created = await tokens.CreateAsync("ci-builds", [Roles.Client, Roles.Auditor, Roles.Client], "alice@box (cli)", CancellationToken.None);

        Assert.True(created.Created, created.Error);
        Assert.Matches("^sgw_[A-Za-z0-9_-]{43}$", created.Token!);
        await using var db = await database.Contexts.CreateDbContextAsync();
        var stored = await db.ApiTokens.SingleAsync();
        Assert.Equal("ci-builds", stored.Name);
        Assert.Equal(ApiTokens.Hash(created.Token!), stored.TokenHash);
        Assert.Matches("^[0-9a-f]{64}$", stored.TokenHash);
        Assert.Equal([Roles.Auditor, Roles.Client], stored.Roles);
        Assert.Equal("alice@box (cli)", stored.CreatedBy);
        var recorded = await db.Events.SingleAsync(e => e.Kind == AuditEventKinds.TokenCreated);
        Assert.Equal(created.AuditEventId, recorded.Id);
        Assert.Equal("ci-builds", recorded.Subject);
        Assert.Equal("alice@box (cli)", recorded.Actor);
        Assert.DoesNotContain(created.Token!, recorded.Summary + recorded.Evidence, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Token!["sgw_".Length..], recorded.Summary + recorded.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_CreatedBootstrapAndUnknownTokens_NameAndRolesOrNull()
    {
        var database = await AuditTestDatabase.CreateAsync();
        using var tokens = Tokens(database, adminToken: "bootstrap-secret");
        var created = await tokens.CreateAsync("reviewer-bob", [Roles.Reviewer], "test", CancellationToken.None);

        var found = await tokens.FindAsync(created.Token!, CancellationToken.None);
        var bootstrap = await tokens.FindAsync("bootstrap-secret", CancellationToken.None);
        var unknown = await tokens.FindAsync("sgw_not-a-token", CancellationToken.None);

        Assert.Equal("reviewer-bob", found!.Name);
        Assert.Equal([Roles.Reviewer], found.Roles);
        Assert.Equal(new TokenIdentity("admin", [Roles.Admin]).Name, bootstrap!.Name);
        Assert.Equal([Roles.Admin], bootstrap.Roles);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task Find_CachedLookup_AnswersWhileTheDatabaseIsAway()
    {
        var database = await AuditTestDatabase.CreateAsync();
        using var tokens = Tokens(database);
        var created = await tokens.CreateAsync("client-1", [Roles.Client], "test", CancellationToken.None);
        Assert.NotNull(await tokens.FindAsync(created.Token!, CancellationToken.None));

        await database.MakeUnavailableAsync();
        try
        {
            Assert.Equal("client-1", (await tokens.FindAsync(created.Token!, CancellationToken.None))!.Name);
        }
        finally
        {
            await database.MakeAvailableAsync();
        }
    }

    [Theory]
    [InlineData("ci", "", "at least one role")]
    [InlineData("ci", "superuser", "unknown role \"superuser\"")]
    [InlineData("admin", "auditor", "bootstrap token's name")]
    [InlineData(" padded", "auditor", "surrounding spaces")]
    [InlineData("", "auditor", "1 to 128 characters")]
    public async Task Create_InvalidRequest_RefusedWithReason(string name, string role, string reason)
    {
        var database = await AuditTestDatabase.CreateAsync();
        using var tokens = Tokens(database);

        var refused = await tokens.CreateAsync(name, role.Length == 0 ? [] : [role], "test", CancellationToken.None);

        Assert.False(refused.Created);
        Assert.Contains(reason, refused.Error, StringComparison.Ordinal);
        await using var db = await database.Contexts.CreateDbContextAsync();
        Assert.Equal(0, await db.ApiTokens.CountAsync());
    }

    [Fact]
    public async Task Create_ExistingName_Refused()
    {
        var database = await AuditTestDatabase.CreateAsync();
        using var tokens = Tokens(database);
        Assert.True((await tokens.CreateAsync("alice", [Roles.Auditor], "test", CancellationToken.None)).Created);

        var again = await tokens.CreateAsync("alice", [Roles.Admin], "test", CancellationToken.None);

        Assert.False(again.Created);
        Assert.Equal("a token named \"alice\" already exists", again.Error);
    }

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer  abc ", "abc")]
    [InlineData("Basic dXNlcjpzZ3dfdG9rZW4=", "sgw_token")] // user:sgw_token
    [InlineData("Basic OnNnd190b2tlbg==", "sgw_token")] // :sgw_token
    [InlineData("Basic dXNlcjpwYTpzcw==", "pa:ss")] // user:pa:ss — the token is everything after the first colon
    public void Presented_BearerOrBasic_TheToken(string header, string token) =>
        Assert.Equal(token, TokenAuthenticationHandler.Presented(header, out _));

    [Theory]
    [InlineData("Bearer", "empty bearer token")]
    [InlineData("Basic !!!", "not base64")]
    [InlineData("Basic dXNlcg==", "token as the password")] // user
    [InlineData("Basic dXNlcjo=", "token as the password")] // user:
    [InlineData("Digest x", "unsupported authorization scheme \"Digest\"")]
    public void Presented_Malformed_NullWithReason(string header, string reason)
    {
        Assert.Null(TokenAuthenticationHandler.Presented(header, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    private static ApiTokens Tokens(AuditTestDatabase database, string? adminToken = null) =>
        new(database.Contexts, new AuditEventLog(database.Contexts), Options.Create(new GatewayOptions { AdminToken = adminToken }));
}
