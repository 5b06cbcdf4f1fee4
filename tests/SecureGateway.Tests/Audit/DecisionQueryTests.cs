using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Policy;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Audit;

/// <summary><c>GET /admin/decisions</c>: every filter, keyset paging, and what each decision carries.</summary>
public sealed class DecisionQueryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private GatewayInstance gateway = null!;
    private Decision licenceDenied = null!;
    private Decision ageQuarantined = null!;
    private Decision released = null!;
    private Decision admitted = null!;
    private Decision otherModule = null!;

    public async Task InitializeAsync()
    {
        gateway = await GatewayInstance.StartAsync(new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri);
        var log = gateway.Services.GetRequiredService<DecisionLog>();
        Task<Decision> Record(Decision decision) => log.RecordAsync(decision, CancellationToken.None);

        licenceDenied = await Record(new Decision
        {
            Time = Start, Module = "example.com/a", Version = "v1.0.0", Outcome = DecisionOutcome.Denied, Actor = "gateway",
            Reasons = ["licence: AGPL-3.0 is not allowed"], PolicyRevision = "rev1", Facts = """{"licence":"AGPL-3.0"}""",
            RuleResults = Rules(("licence", PolicyVerdict.Deny, "AGPL-3.0 is not allowed"), ("age", PolicyVerdict.Admit, null)),
            ChecksumDb = "sum.golang.org", ChecksumDbTreeSize = 42, ChecksumDbTreeHash = "tree=", ChecksumDbRecordId = 7,
        });
        ageQuarantined = await Record(new Decision
        {
            Time = Start.AddDays(1), Module = "example.com/a", Version = "v1.1.0", Outcome = DecisionOutcome.Quarantined, Actor = "gateway",
            Reasons = ["age: published 2 hours ago"], PolicyRevision = "rev1",
            RuleResults = Rules(("licence", PolicyVerdict.Admit, null), ("age", PolicyVerdict.Quarantine, "published 2 hours ago")),
        });
        released = await Record(new Decision
        {
            Time = Start.AddDays(2), Module = "example.com/a", Version = "v1.1.0", Outcome = DecisionOutcome.Admitted, Actor = "alice",
            Reasons = ["released by alice"], Justification = "reviewed the diff", ExpiresAt = Start.AddDays(30),
            RuleResults = ageQuarantined.RuleResults,
        });
        admitted = await Record(new Decision
        {
            Time = Start.AddDays(3), Module = "example.com/a", Version = "v1.2.0", Outcome = DecisionOutcome.Admitted, Actor = "gateway",
            RuleResults = Rules(("licence", PolicyVerdict.None, null), ("age", PolicyVerdict.Admit, null), ("denylist", PolicyVerdict.Admit, null)),
        });
        otherModule = await Record(new Decision
        {
            Time = Start.AddDays(4), Module = "example.com/b", Version = "v1.0.0", Outcome = DecisionOutcome.Admitted, Actor = "gateway",
        });
    }

    public Task DisposeAsync() => gateway.DisposeAsync().AsTask();

    [Theory]
    [InlineData("", "otherModule,admitted,released,ageQuarantined,licenceDenied")]
    [InlineData("?module=example.com/a", "admitted,released,ageQuarantined,licenceDenied")]
    [InlineData("?module=example.com/a&version=v1.1.0", "released,ageQuarantined")]
    [InlineData("?outcome=Admitted", "otherModule,admitted,released")]
    [InlineData("?outcome=denied", "licenceDenied")]
    [InlineData("?rule=licence", "licenceDenied")]
    [InlineData("?rule=age", "released,ageQuarantined")]
    [InlineData("?rule=age&outcome=quarantined", "ageQuarantined")]
    [InlineData("?rule=denylist", "")]
    [InlineData("?actor=alice", "released")]
    [InlineData("?from=2026-03-02&to=2026-03-04", "released,ageQuarantined")]
    [InlineData("?from=2026-03-03T00:00:00Z", "otherModule,admitted,released")]
    [InlineData("?to=2026-03-02T00:00:00.000001Z", "ageQuarantined,licenceDenied")]
    [InlineData("?from=2026-03-01T05:00:00%2B05:00&to=2026-03-01T00:00:01", "licenceDenied")]
    public async Task List_Filters_ReturnMatchingNewestFirst(string query, string expected)
    {
        var page = await gateway.GetJsonAsync($"admin/decisions{query}");

        Assert.Equal(Expected(expected), AdminJson.Ids(page));
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task List_PagedByTwo_WalksEveryDecisionOnce()
    {
        var seen = new List<long>();
        var pages = 0;
        long? before = null;
        do
        {
            var page = await gateway.GetJsonAsync($"admin/decisions?limit=2{(before is { } id ? $"&before={id}" : "")}");
            seen.AddRange(AdminJson.Ids(page));
            before = page.GetProperty("next") is { ValueKind: JsonValueKind.Number } next ? next.GetInt64() : null;
            pages++;
        }
        while (before is not null);

        Assert.Equal(Expected("otherModule,admitted,released,ageQuarantined,licenceDenied"), seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task List_LimitEqualsRemaining_NoNextPage()
    {
        var page = await gateway.GetJsonAsync("admin/decisions?module=example.com/a&limit=4");

        Assert.Equal(4, AdminJson.Ids(page).Count);
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task List_Decision_CarriesEvidenceActorJustificationAndHash()
    {
        var items = (await gateway.GetJsonAsync("admin/decisions?module=example.com/a&version=v1.0.0")).GetProperty("items");
        var denied = Assert.Single(items.EnumerateArray());
        var release = Assert.Single((await gateway.GetJsonAsync("admin/decisions?actor=alice")).GetProperty("items").EnumerateArray());

        Assert.Equal("denied", denied.GetProperty("outcome").GetString());
        Assert.Equal(["licence: AGPL-3.0 is not allowed"], denied.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("AGPL-3.0", denied.GetProperty("facts").GetProperty("licence").GetString());
        Assert.Equal("licence", denied.GetProperty("ruleResults")[0].GetProperty("rule").GetString());
        Assert.Equal("rev1", denied.GetProperty("policyRevision").GetString());
        Assert.Equal("sum.golang.org", denied.GetProperty("checksumDb").GetString());
        Assert.Equal(42, denied.GetProperty("checksumDbTreeSize").GetInt64());
        Assert.Equal("tree=", denied.GetProperty("checksumDbTreeHash").GetString());
        Assert.Equal(7, denied.GetProperty("checksumDbRecordId").GetInt64());
        Assert.Equal("gateway", denied.GetProperty("actor").GetString());
        Assert.Equal(licenceDenied.RowHash, denied.GetProperty("rowHash").GetString());
        Assert.Equal(JsonValueKind.Null, denied.GetProperty("expiresAt").ValueKind);
        Assert.Equal("alice", release.GetProperty("actor").GetString());
        Assert.Equal("reviewed the diff", release.GetProperty("justification").GetString());
        Assert.Equal(Start.AddDays(30), release.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(Start.AddDays(2), release.GetProperty("time").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("limit=0", "limit must be between 1 and 1000, not \"0\"")]
    [InlineData("limit=1001", "limit must be between 1 and 1000, not \"1001\"")]
    [InlineData("limit=ten", "limit must be between 1 and 1000, not \"ten\"")]
    [InlineData("before=x", "before must be an id (a positive integer), not \"x\"")]
    [InlineData("outcome=1", "outcome must be admitted, denied or quarantined, not \"1\"")]
    [InlineData("rule=", "rule must name a policy rule (its file name without .js)")]
    [InlineData("from=2026-03-02&to=2026-03-01", "from must not be later than to")]
    [InlineData("from=03/01/2026", "from must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"03/01/2026\"")]
    [InlineData("outcome=maybe&limit=0", "outcome must be admitted, denied or quarantined, not \"maybe\"; limit must be between 1 and 1000, not \"0\"")]
    public async Task List_BadParameter_Returns400NamingIt(string query, string error) =>
        Assert.Equal(error, await gateway.BadRequestErrorAsync($"admin/decisions?{query}"));

    /// <summary>Rule results as the admission path stores them.</summary>
    private static string Rules(params (string Rule, PolicyVerdict Verdict, string? Reason)[] results) =>
        JsonSerializer.Serialize(results.Select(r => new RuleResult(r.Rule, r.Verdict, r.Reason)), PolicyJson.Options);

    private List<long> Expected(string names) =>
    [
        .. names.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(name => name switch
        {
            nameof(licenceDenied) => licenceDenied.Id,
            nameof(ageQuarantined) => ageQuarantined.Id,
            nameof(released) => released.Id,
            nameof(admitted) => admitted.Id,
            nameof(otherModule) => otherModule.Id,
            _ => throw new ArgumentException(name, nameof(names)),
        }),
    ];
}
