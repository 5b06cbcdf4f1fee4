using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Audit;
using SecureGateway.Data.Events;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Audit;

/// <summary><c>GET /admin/audit/verify</c>, <c>audit verify</c> and <c>GET /admin/audit/events</c> on a running gateway.</summary>
public sealed class AuditApiTests : IAsyncLifetime
{
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync() =>
        gateway = await GatewayInstance.StartAsync(new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri);

    public Task DisposeAsync() => gateway.DisposeAsync().AsTask();

    [Fact]
    public async Task Verify_IntactThenRowChangedInDatabase_ApiAndCliReportThatRow()
    {
        var log = gateway.Services.GetRequiredService<DecisionLog>();
        var decisions = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            decisions.Add((await log.RecordAsync(AuditStore.NewDecision(version: $"v1.{i}.0"), CancellationToken.None)).Id);
        }

        var rows = await RowCountAsync();

        var intact = await VerifyAsync();
        var intactCli = await CliAsync();
        await AuditStore.ExecuteAsync(gateway.ConnectionString, $"UPDATE decisions SET reasons = ARRAY['admitted, honest'] WHERE id = {decisions[1]}", bypassTriggers: true);
        var broken = await VerifyAsync();
        var brokenCli = await CliAsync();
        var brokenJson = await CliAsync("--json");

        Assert.True(intact.GetProperty("ok").GetBoolean());
        Assert.Equal(rows, intact.GetProperty("rows").GetInt64());
        Assert.Equal(JsonValueKind.Null, intact.GetProperty("firstBroken").ValueKind);
        Assert.Equal(0, intactCli.Exit);
        Assert.Equal($"ok: {rows} rows in decisions, audit_events, checksum_db_heads, api_tokens, every hash recomputed and linked\n", intactCli.Stdout);

        Assert.False(broken.GetProperty("ok").GetBoolean());
        Assert.Equal(rows, broken.GetProperty("rows").GetInt64());
        Assert.Equal(decisions[1], broken.GetProperty("firstBroken").GetInt64());
        Assert.Equal("decisions", broken.GetProperty("table").GetString());
        Assert.Equal("chain_seq 2: row_hash does not match the row's content: the row was changed", broken.GetProperty("reason").GetString());
        Assert.Equal(1, brokenCli.Exit);
        Assert.Equal(
            $"BROKEN: decisions row {decisions[1]} is the first that does not verify ({rows} rows)\n" +
            "reason: chain_seq 2: row_hash does not match the row's content: the row was changed\n",
            brokenCli.Stdout);
        Assert.Equal(1, brokenJson.Exit);
        Assert.Equal(broken.GetRawText(), brokenJson.Stdout.TrimEnd('\n'));
    }

    [Fact]
    public async Task Verify_DecisionDeletedInDatabase_ApiReportsTheRowAfterIt()
    {
        var log = gateway.Services.GetRequiredService<DecisionLog>();
        var first = await log.RecordAsync(AuditStore.NewDecision(version: "v1.0.0"), CancellationToken.None);
        var second = await log.RecordAsync(AuditStore.NewDecision(version: "v1.1.0"), CancellationToken.None);

        await AuditStore.ExecuteAsync(gateway.ConnectionString, $"DELETE FROM decisions WHERE id = {first.Id}", bypassTriggers: true);
        var result = await VerifyAsync();

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(second.Id, result.GetProperty("firstBroken").GetInt64());
    }

    [Fact]
    public async Task Verify_WithoutToken_Returns401()
    {
        using var response = await gateway.Http.GetAsync("admin/audit/verify");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Events_KindAndPaging_NewestFirstWithNext()
    {
        var events = gateway.Services.GetRequiredService<AuditEventLog>();
        var created = new List<long>();
        foreach (var kind in new[] { AuditEventKinds.TokenCreated, AuditEventKinds.ReevaluationRun, AuditEventKinds.TokenCreated, AuditEventKinds.TokenCreated })
        {
            var appended = await events.AppendAsync(new AuditEvent { Kind = kind, Actor = "tester", Subject = "s", Summary = kind }, CancellationToken.None);
            if (kind == AuditEventKinds.TokenCreated)
            {
                created.Add(appended.Id);
            }
        }

        var firstPage = await gateway.GetJsonAsync($"admin/audit/events?kind={AuditEventKinds.TokenCreated}&limit=2");
        var secondPage = await gateway.GetJsonAsync($"admin/audit/events?kind={AuditEventKinds.TokenCreated}&limit=2&before={firstPage.GetProperty("next").GetInt64()}");
        var future = await gateway.GetJsonAsync($"admin/audit/events?from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");

        Assert.Equal([created[2], created[1]], AdminJson.Ids(firstPage));
        Assert.Equal(created[1], firstPage.GetProperty("next").GetInt64());
        Assert.Equal([created[0]], AdminJson.Ids(secondPage));
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("next").ValueKind);
        var item = firstPage.GetProperty("items")[0];
        Assert.Equal("tester", item.GetProperty("actor").GetString());
        Assert.Matches("^[0-9a-f]{64}$", item.GetProperty("rowHash").GetString()!);
        Assert.Empty(AdminJson.Ids(future));
    }

    [Theory]
    [InlineData("limit=0", "limit must be between 1 and 1000, not \"0\"")]
    [InlineData("before=-3", "before must be an id (a positive integer), not \"-3\"")]
    [InlineData("from=yesterday&to=2026-13-01", "from must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"yesterday\"; to must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"2026-13-01\"")]
    public async Task Events_BadParameter_Returns400NamingIt(string query, string error) =>
        Assert.Equal(error, await gateway.BadRequestErrorAsync($"admin/audit/events?{query}"));

    private Task<JsonElement> VerifyAsync() => gateway.GetJsonAsync("admin/audit/verify");

    private Task<(int Exit, string Stdout, string Stderr)> CliAsync(params string[] options) =>
        GatewayCli.RunAsync(["audit", "verify", .. options, $"--ConnectionStrings:Audit={gateway.ConnectionString}", $"--Gateway:DataDir={TempDirectory.Create("cli-data")}"]);

    private Task<long> RowCountAsync() =>
        AuditStore.ScalarAsync<long>(gateway.ConnectionString, "SELECT (SELECT count(*) FROM decisions) + (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM checksum_db_heads) + (SELECT count(*) FROM api_tokens)");
}
