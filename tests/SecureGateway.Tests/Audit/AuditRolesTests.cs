using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Tests.Access;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Audit;

/// <summary>
/// Two database roles: the schema owner migrates, the gateway serves as a runtime role that can read everything and
/// append to the audit trail, but cannot change, remove or truncate a row of it, alter it or switch its triggers off.
/// </summary>
public sealed class AuditRolesTests
{
    private const string Module = "example.com/roles";

    [Theory]
    [InlineData("UPDATE decisions SET reasons = ARRAY['admitted, honest']", "permission denied for table decisions")]
    [InlineData("DELETE FROM audit_events", "permission denied for table audit_events")]
    [InlineData("TRUNCATE decisions", "permission denied for table decisions")]
    [InlineData("DELETE FROM checksum_db_heads", "permission denied for table checksum_db_heads")]
    [InlineData("UPDATE api_tokens SET roles = ARRAY['admin']", "permission denied for table api_tokens")]
    [InlineData("ALTER TABLE decisions DISABLE TRIGGER ALL", "must be owner of table decisions")]
    [InlineData("SET session_replication_role = replica", "permission denied to set parameter \"session_replication_role\"")]
    [InlineData("DROP TRIGGER decisions_append_only ON decisions", "must be owner of relation decisions")]
    [InlineData("CREATE OR REPLACE FUNCTION audit_row_hash(prev_hash text, content jsonb) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$", "permission denied for schema public")]
    public async Task RuntimeRole_CannotRewriteTheTrail(string sql, string refusal)
    {
        var (owner, runtime) = await TwoRolesAsync();
        await using var upstream = StaticGoProxyServer.Start(Layout().RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, connectionString: runtime, extraArguments: [$"--ConnectionStrings:AuditMigration={owner}"]);
        using (var served = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/')))
        {
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        var refused = await Assert.ThrowsAsync<PostgresException>(() => AuditStore.ExecuteAsync(runtime, sql));

        Assert.Contains(refusal, refused.MessageText, StringComparison.Ordinal);
        Assert.True((await gateway.GetJsonAsync("admin/audit/verify")).GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task RuntimeRole_ServesAdmitsRecordsAndRevokesTokens_ReadyzSaysProtected()
    {
        var (owner, runtime) = await TwoRolesAsync();
        await using var upstream = StaticGoProxyServer.Start(Layout().RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, connectionString: runtime, extraArguments: [$"--ConnectionStrings:AuditMigration={owner}"]);
        using var client = GoClient.Fresh(gateway.BaseUrl);

        var downloaded = Assert.Single(await client.DownloadJsonAsync($"{Module}@v1.0.0"));
        var token = await gateway.CreateTokenAsync("ci", "client");
        var revoked = await gateway.Services.GetRequiredService<SecureGateway.Access.ApiTokens>().RevokeAsync("ci", "test", CancellationToken.None);
        var checkpoint = await gateway.Services.GetRequiredService<AuditCheckpoints>().CreateAsync(CancellationToken.None);
        var report = await gateway.Http.GetStringAsync("readyz");

        Assert.True(downloaded.Succeeded, downloaded.Error);
        Assert.NotEmpty(token);
        Assert.Null(revoked.Error);
        Assert.Contains("decisions 1 ", checkpoint.Note, StringComparison.Ordinal);
        Assert.Contains("audit-roles: Healthy (the runtime role can only read and append to the audit trail)", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneAccountForBoth_ReadyzDegradedNamingWhy()
    {
        await using var gateway = await GatewayInstance.StartAsync(new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri);

        var report = await gateway.Http.GetStringAsync("readyz");

        Assert.Contains("audit-roles: Degraded (the gateway connects as ", report, StringComparison.Ordinal);
        Assert.Contains(", a superuser: it could switch the audit triggers off and rewrite the trail; set ConnectionStrings:AuditMigration", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Embedded_MigratesAsSuperuser_ServesAsTheRuntimeRole()
    {
        var data = TempDirectory.Create("embedded-gateway");
        await using var upstream = StaticGoProxyServer.Start(Layout().RootDirectory);
        await using var gateway = await GatewayInstance.StartEmbeddedAsync(upstream.Url, data);

        using var served = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));
        var report = await gateway.Http.GetStringAsync("readyz");
        var runtime = new NpgsqlConnectionStringBuilder(gateway.ConnectionString);

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(SecureGateway.Hosting.AuditRoles.EmbeddedRuntimeRole, runtime.Username);
        Assert.Contains("audit-roles: Healthy", report, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => AuditStore.ExecuteAsync(gateway.ConnectionString, "DELETE FROM decisions"));
        Assert.Contains("permission denied for table decisions", refused.MessageText, StringComparison.Ordinal);
    }

    /// <summary>A fresh database whose superuser is the migration role, and a runtime role (created by the gateway) for it.</summary>
    private static async Task<(string Owner, string Runtime)> TwoRolesAsync()
    {
        var owner = await TestPostgres.CreateDatabaseAsync();
        var runtime = new NpgsqlConnectionStringBuilder(owner) { Username = $"runtime_{Guid.NewGuid():N}"[..24], Password = Guid.NewGuid().ToString("N") };
        return (owner, runtime.ConnectionString);
    }

    private static GoProxyLayout Layout()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return layout;
    }
}
