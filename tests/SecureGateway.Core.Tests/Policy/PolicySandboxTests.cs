using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

/// <summary>Rules that misbehave or reach out of the sandbox: each becomes Quarantine "policy error in X.js: …".</summary>
public sealed class PolicySandboxTests
{
    private static RuleResult EvaluateBody(string body)
    {
        using var folder = PolicyFolder.WithRules(("abuse", "function rule(facts, config) {\n" + body + "\n}\n"));
        var decision = folder.Load().Evaluate(Facts.Typical());
        Assert.Equal(PolicyVerdict.Quarantine, decision.Verdict);
        var result = Assert.Single(decision.Rules);
        Assert.StartsWith("policy error in abuse.js: ", result.Reason, StringComparison.Ordinal);
        Assert.True(result.IsPolicyError);
        Assert.Equal(["abuse: " + result.Reason], decision.Reasons);
        return result;
    }

    [Fact]
    public void Evaluate_InfiniteLoop_IsAPolicyError()
    {
        var result = EvaluateBody("while (true) {}");

        // The statement limit normally stops it first (in ~20 ms); on a very busy machine the 250 ms limit may.
        Assert.Matches("^policy error in abuse.js: (exceeded the limit of 100000 statements|timed out after 250 ms)$", result.Reason);
    }

    [Fact]
    public void Evaluate_SlowButFewStatements_TimesOut()
    {
        // Each statement is cheap to count but slow to run: the time limit, not the statement limit, stops it.
        var result = EvaluateBody("var s = 'a'.repeat(1000000); for (var i = 0; i < 90000; i++) { s.indexOf('b'); } return null;");

        Assert.Equal("policy error in abuse.js: timed out after 250 ms", result.Reason);
    }

    [Fact]
    public void Evaluate_InfiniteLoopWithoutStatements_IsAPolicyError()
    {
        var result = EvaluateBody("for (;;);");

        Assert.Matches("timed out|statements", result.Reason);
    }

    [Fact]
    public void Evaluate_HugeArray_IsAPolicyError()
    {
        EvaluateBody("return { decision: 'admit', reason: String(new Array(1e9).fill(1).length) };");
    }

    [Fact]
    public void Evaluate_GrowingArray_IsAPolicyError()
    {
        EvaluateBody("var a = []; for (var i = 0; i < 1e8; i++) a.push({ i: i, s: 'x' + i }); return null;");
    }

    [Fact]
    public void Evaluate_StringDoubling_IsAPolicyError()
    {
        var result = EvaluateBody("var s = 'x'; for (var i = 0; i < 40; i++) s = s + s; return { decision: 'admit', reason: s.slice(0, 1) + s.length };");

        Assert.Contains("memory", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_StringRepeat_IsAPolicyError()
    {
        EvaluateBody("return { decision: 'admit', reason: 'x'.repeat(1 << 29).slice(0, 3) };");
    }

    [Fact]
    public void Evaluate_DeepRecursion_IsAPolicyError()
    {
        var result = EvaluateBody("function f(n) { return f(n + 1) + 1; }\nreturn f(0);");

        Assert.Equal("policy error in abuse.js: exceeded the recursion limit of 64", result.Reason);
    }

    [Fact]
    public void Evaluate_RecursionThroughGetters_IsAPolicyError()
    {
        EvaluateBody("var o = {}; Object.defineProperty(o, 'x', { get: function () { return this.x; } }); return o.x;");
    }

    [Theory]
    [InlineData("return eval('1');")]
    [InlineData("return (0, eval)('({ decision: \"admit\", reason: \"x\" })');")]
    [InlineData("return new Function('return 1')();")]
    [InlineData("return Function('return this')();")]
    [InlineData("return (function () {}).constructor('return 1')();")]
    public void Evaluate_StringCompilation_IsAPolicyError(string body)
    {
        var result = EvaluateBody(body);

        Assert.Contains("String compilation has been disabled", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("return System.IO.File.ReadAllText('/etc/passwd');")]
    [InlineData("var io = importNamespace('System.IO'); return null;")]
    [InlineData("return clrHelper.typeOf('x');")]
    [InlineData("return host.type('System.IO.File');")]
    [InlineData("return require('fs');")]
    [InlineData("return ({}).GetType().Assembly;")]
    [InlineData("return facts.GetType();")]
    public void Evaluate_ReachingForClr_IsAPolicyError(string body)
    {
        var result = EvaluateBody(body);

        Assert.Matches("is not defined|is not a function", result.Reason);
    }

    [Theory]
    [InlineData("return 'admit';", "returned string (admit)")]
    [InlineData("return 42;", "returned number")]
    [InlineData("return true;", "returned boolean")]
    [InlineData("return [];", "returned an array")]
    [InlineData("return function () {};", "returned function")]
    [InlineData("return { decision: 'maybe', reason: 'x' };", "returned decision \"maybe\"")]
    [InlineData("return { decision: 'ADMIT', reason: 'x' };", "returned decision \"ADMIT\"")]
    [InlineData("return { reason: 'x' };", "returned decision null")]
    [InlineData("return { decision: 1, reason: 'x' };", "returned decision 1")]
    [InlineData("return { decision: 'deny' };", "without a reason")]
    [InlineData("return { decision: 'quarantine', reason: '   ' };", "without a reason")]
    [InlineData("return { decision: 'deny', reason: 42 };", "returned reason 42")]
    [InlineData("return { decision: 'deny', reason: {} };", "returned reason {}")]
    [InlineData("return { get decision() { while (true) {} } };", "")]
    [InlineData("return { decision: 10n };", "BigInt")]
    [InlineData("return Promise.resolve({ decision: 'admit' });", "returned decision null")]
    public void Evaluate_Garbage_IsAPolicyError(string body, string expected)
    {
        var result = EvaluateBody(body);

        Assert.Contains(expected, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Throws_IsAPolicyErrorWithMessageAndLine()
    {
        var result = EvaluateBody("  var x = 1;\n  throw new Error('boom');");

        Assert.Equal("policy error in abuse.js: boom (line 3)", result.Reason);
    }

    [Fact]
    public void Evaluate_TypeError_IsAPolicyError()
    {
        var result = EvaluateBody("return facts.nothing.here;");

        Assert.Contains("policy error in abuse.js: ", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ThrowsNonError_IsAPolicyError()
    {
        var result = EvaluateBody("throw { decision: 'admit' };");

        Assert.Equal("policy error in abuse.js: threw an object that is not an Error (line 2)", result.Reason);
    }

    [Fact]
    public void Evaluate_ErrorInResultConversion_HasNoLineBeyondTheFile()
    {
        var result = EvaluateBody("return { decision: 10n };");

        Assert.DoesNotContain("(line", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SloppyGlobalAssignment_IsAPolicyError()
    {
        // Strict mode everywhere: assigning an undeclared variable throws.
        EvaluateBody("leaked = 1; return null;");
    }

    [Fact]
    public void Evaluate_GlobalCounter_StartsFreshEveryEvaluation()
    {
        using var folder = PolicyFolder.WithRules(("counter",
            "var count = 0;\nfunction rule(facts, config) { count++; globalThis.seen = (globalThis.seen || 0) + 1;\n"
            + "  return { decision: 'admit', reason: 'count ' + count + ' seen ' + globalThis.seen }; }"));
        var bundle = folder.Load();

        var reasons = Enumerable.Range(0, 3).Select(_ => bundle.Evaluate(Facts.Typical()).Rules[0].Reason).ToList();

        Assert.All(reasons, r => Assert.Equal("count 1 seen 1", r));
    }

    [Fact]
    public void Evaluate_MutatedBuiltins_DoNotLeakToTheNextEvaluationOrRule()
    {
        using var folder = PolicyFolder.WithRules(
            ("a", "function rule(facts, config) { var had = typeof Array.prototype.evil; Array.prototype.evil = 1; Object.prototype.polluted = 1;\n"
                + "  return { decision: 'admit', reason: had }; }"),
            ("b", "function rule(facts, config) { return { decision: 'admit', reason: typeof Array.prototype.evil + ' ' + typeof ({}).polluted }; }"));
        var bundle = folder.Load();
        bundle.Evaluate(Facts.Typical());

        var decision = bundle.Evaluate(Facts.Typical());

        Assert.Equal("undefined", decision.Rules[0].Reason);
        Assert.Equal("undefined undefined", decision.Rules[1].Reason);
    }

    [Fact]
    public void Evaluate_RulesDefiningSameHelperNames_DoNotCollide()
    {
        using var folder = PolicyFolder.WithRules(
            ("a", "function helper() { return 'a'; }\nfunction rule() { return { decision: 'admit', reason: helper() }; }"),
            ("b", "function helper() { return 'b'; }\nfunction rule() { return { decision: 'admit', reason: helper() }; }"));

        var decision = folder.Load().Evaluate(Facts.Typical());

        Assert.Equal(["a", "b"], decision.Rules.Select(r => r.Reason));
    }

    [Fact]
    public void Evaluate_OneRuleMisbehaves_OtherRulesStillDecide()
    {
        using var folder = PolicyFolder.WithRules(
            ("loop", "function rule() { while (true) {} }"),
            ("deny", "function rule() { return { decision: 'deny', reason: 'no' }; }"));

        var decision = folder.Load().Evaluate(Facts.Typical());

        Assert.Equal(PolicyVerdict.Deny, decision.Verdict);
        Assert.Equal(PolicyVerdict.Quarantine, decision.Rules.Single(r => r.Rule == "loop").Verdict);
        Assert.Equal(["deny: no"], decision.Reasons);
    }

    [Fact]
    public void Evaluate_ReasonWithNewlines_IsOneLine()
    {
        using var folder = PolicyFolder.WithRules(("nl", "function rule() { return { decision: 'deny', reason: 'a\\nb\\r\\nc' }; }"));

        Assert.Equal("a b  c", folder.Load().Evaluate(Facts.Typical()).Rules[0].Reason);
    }

    [Fact]
    public void Evaluate_RuleSeesFactsAsPlainJson()
    {
        using var folder = PolicyFolder.WithRules(("shape",
            "function rule(facts, config) { return { decision: 'admit', reason: [typeof facts.times.now, facts.module.major, facts.licences[0].spdx,\n"
            + " facts.denylist, facts.zip.fileCount, Object.getPrototypeOf(facts) === Object.prototype, JSON.stringify(config)].join(' ') }; }"));

        var reason = folder.Load().Evaluate(Facts.Typical()).Rules[0].Reason;

        Assert.Equal("string v1 MIT  23 true {}", reason);
    }

    [Fact]
    public void Evaluate_Concurrently_GivesTheSameDecisions()
    {
        var bundle = PolicyBundle.Load(PolicyFolder.Shipped);
        var expected = bundle.Evaluate(Facts.Typical());

        var decisions = Enumerable.Range(0, 64).AsParallel().WithDegreeOfParallelism(4)
            .Select(_ => bundle.Evaluate(Facts.Typical())).ToList();

        Assert.All(decisions, d => Assert.Equal(expected.Rules, d.Rules));
    }
}
