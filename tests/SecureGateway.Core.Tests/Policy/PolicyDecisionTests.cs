using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class PolicyDecisionTests
{
    [Theory]
    [InlineData(new PolicyVerdict[0], PolicyVerdict.None)]
    [InlineData(new[] { PolicyVerdict.None, PolicyVerdict.None }, PolicyVerdict.None)]
    [InlineData(new[] { PolicyVerdict.None, PolicyVerdict.Admit }, PolicyVerdict.Admit)]
    [InlineData(new[] { PolicyVerdict.Admit, PolicyVerdict.Quarantine, PolicyVerdict.Admit }, PolicyVerdict.Quarantine)]
    [InlineData(new[] { PolicyVerdict.Deny, PolicyVerdict.Quarantine, PolicyVerdict.Admit }, PolicyVerdict.Deny)]
    [InlineData(new[] { PolicyVerdict.Admit, PolicyVerdict.None, PolicyVerdict.Deny }, PolicyVerdict.Deny)]
    public void Strictest_Verdicts_StrictestWins(PolicyVerdict[] verdicts, PolicyVerdict expected) =>
        Assert.Equal(expected, PolicyDecision.Strictest(verdicts));

    [Fact]
    public void Evaluate_MixedRules_StrictestWinsAndReasonsAreItsOwn()
    {
        using var folder = PolicyFolder.WithRules(
            ("a", "function rule() { return { decision: 'admit', reason: 'fine' }; }"),
            ("b", "function rule() { return { decision: 'quarantine', reason: 'wait' }; }"),
            ("c", "function rule() { return null; }"),
            ("d", "function rule() { return { decision: 'quarantine', reason: 'look' }; }"),
            ("e", "function rule() { return undefined; }"));

        var decision = folder.Load().Evaluate(Facts.Typical());

        Assert.Equal(PolicyVerdict.Quarantine, decision.Verdict);
        Assert.Equal(["b: wait", "d: look"], decision.Reasons);
        Assert.Equal(
            [PolicyVerdict.Admit, PolicyVerdict.Quarantine, PolicyVerdict.None, PolicyVerdict.Quarantine, PolicyVerdict.None],
            decision.Rules.Select(r => r.Verdict));
    }

    [Fact]
    public void Evaluate_OnlyNoOpinions_IsNoneWithNoReasons()
    {
        using var folder = PolicyFolder.WithRules(("a", "function rule() { return null; }"));

        var decision = folder.Load().Evaluate(Facts.Typical());

        Assert.Equal(PolicyVerdict.None, decision.Verdict);
        Assert.Empty(decision.Reasons);
    }

    [Fact]
    public void Evaluate_AdmitWithoutReason_IsAllowed()
    {
        using var folder = PolicyFolder.WithRules(("a", "function rule() { return { decision: 'admit' }; }"));

        var decision = folder.Load().Evaluate(Facts.Typical());

        Assert.Equal(new RuleResult("a", PolicyVerdict.Admit, null), Assert.Single(decision.Rules));
        Assert.Equal(["a: admit"], decision.Reasons);
    }

    [Fact]
    public void Evaluate_Config_IsTheRulesSection()
    {
        using var folder = PolicyFolder.WithRules(
                ("a", "function rule(facts, config) { return { decision: 'admit', reason: JSON.stringify(config) }; }"),
                ("b", "function rule(facts, config) { return { decision: 'admit', reason: JSON.stringify(config) }; }"))
            .Write("config.json", "{ \"a\": { \"limit\": 3, \"names\": [\"x\"] } }");

        var decision = folder.Load().Evaluate(Facts.Typical());

        Assert.Equal(["{\"limit\":3,\"names\":[\"x\"]}", "{}"], decision.Rules.Select(r => r.Reason));
    }
}
