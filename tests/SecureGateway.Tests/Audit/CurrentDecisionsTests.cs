using System.Text.Json;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Policy;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Audit;

/// <summary>A version's state is its latest decision; earlier ones, whatever they said, no longer count.</summary>
public sealed class CurrentDecisionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task WithOutcome_SupersededDecisions_OnlyLatestPerVersionOldestFirst()
    {
        var database = await AuditTestDatabase.CreateAsync();
        await AppendAsync(database,
            Decision("example.com/a", "v1.0.0", DecisionOutcome.Quarantined),
            Decision("example.com/b", "v1.0.0", DecisionOutcome.Quarantined),
            Decision("example.com/a", "v1.0.0", DecisionOutcome.Admitted),
            Decision("example.com/c", "v1.0.0", DecisionOutcome.Admitted),
            Decision("example.com/c", "v1.0.0", DecisionOutcome.Quarantined),
            Decision("example.com/a", "v1.1.0", DecisionOutcome.Quarantined));
        var current = new CurrentDecisions(database.Contexts);

        var quarantined = await current.WithOutcomeAsync(DecisionOutcome.Quarantined, null, null, CancellationToken.None);
        var ofA = await current.WithOutcomeAsync(DecisionOutcome.Quarantined, "example.com/a", null, CancellationToken.None);
        var admitted = await current.WithOutcomeAsync(DecisionOutcome.Admitted, null, null, CancellationToken.None);

        Assert.Equal(["example.com/b@v1.0.0", "example.com/c@v1.0.0", "example.com/a@v1.1.0"], quarantined.Select(d => $"{d.Module}@{d.Version}"));
        Assert.Equal(["example.com/a@v1.1.0"], ofA.Select(d => $"{d.Module}@{d.Version}"));
        Assert.Equal(["example.com/a@v1.0.0"], admitted.Select(d => $"{d.Module}@{d.Version}"));
    }

    [Fact]
    public async Task WithOutcome_Rule_OnlyVersionsThatRuleQuarantined()
    {
        var database = await AuditTestDatabase.CreateAsync();
        await AppendAsync(database,
            Decision("example.com/l", "v1.0.0", DecisionOutcome.Quarantined, rules: [new("licence", PolicyVerdict.Quarantine, "no licence"), new("age", PolicyVerdict.Admit, null)]),
            Decision("example.com/y", "v1.0.0", DecisionOutcome.Quarantined, rules: [new("licence", PolicyVerdict.Admit, "MIT"), new("age", PolicyVerdict.Quarantine, "2 days old")]),
            Decision("example.com/n", "v1.0.0", DecisionOutcome.Quarantined));
        var current = new CurrentDecisions(database.Contexts);

        var byLicence = await current.WithOutcomeAsync(DecisionOutcome.Quarantined, null, "licence", CancellationToken.None);
        var byAge = await current.WithOutcomeAsync(DecisionOutcome.Quarantined, null, "age", CancellationToken.None);

        Assert.Equal(["example.com/l"], byLicence.Select(d => d.Module));
        Assert.Equal(["example.com/y"], byAge.Select(d => d.Module));
    }

    [Fact]
    public async Task AnyLapsedWaiver_OnlyWhenTheLatestDecisionIsALapsedRelease()
    {
        var database = await AuditTestDatabase.CreateAsync();
        var current = new CurrentDecisions(database.Contexts);
        await AppendAsync(database,
            Decision("example.com/w", "v1.0.0", DecisionOutcome.Admitted, expires: Now.AddDays(1)),
            Decision("example.com/x", "v1.0.0", DecisionOutcome.Admitted, expires: Now.AddDays(-1)),
            Decision("example.com/x", "v1.0.0", DecisionOutcome.Denied));

        Assert.False(await current.AnyLapsedWaiverAsync(Now, CancellationToken.None));
        Assert.True(await current.AnyLapsedWaiverAsync(Now.AddDays(2), CancellationToken.None));
    }

    private static Decision Decision(string module, string version, DecisionOutcome outcome, DateTimeOffset? expires = null, RuleResult[]? rules = null) => new()
    {
        Time = Now, Module = module, Version = version, Outcome = outcome, Reasons = ["test"], ExpiresAt = expires, Actor = "gateway",
        RuleResults = rules is null ? null : JsonSerializer.Serialize(rules, PolicyJson.Options),
    };

    private static async Task AppendAsync(AuditTestDatabase database, params Decision[] decisions)
    {
        await using var db = await database.Contexts.CreateDbContextAsync();
        foreach (var decision in decisions)
        {
            db.Decisions.Add(decision);
            await db.SaveChangesAsync(); // one at a time: ids follow the order given
        }
    }
}
