using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class PolicyTestRunnerTests
{
    private const string DenyGpl =
        "function rule(facts, config) {\n"
        + "  var gpl = facts.licences.filter(function (l) { return l.spdx.indexOf('GPL') >= 0; });\n"
        + "  return gpl.length ? { decision: 'deny', reason: 'licence ' + gpl[0].spdx } : null;\n"
        + "}\n";

    [Fact]
    public void RunTests_ShippedTests_AllPass()
    {
        var report = PolicyBundle.Load(PolicyFolder.Shipped).RunTests();

        Assert.All(report.Results, r => Assert.True(r.Passed, $"{r.File} {r.Test}: {r.Message}"));
        Assert.Equal(0, report.Failed);
        Assert.Equal(report.Results.Count, report.Passed);
        var files = report.Results.Select(r => r.File).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["age.test.js", "denylist.test.js", "licence.test.js", "malicious.test.js", "repository.test.js", "vulnerabilities.test.js"], files);
        Assert.True(report.Passed >= 25);
    }

    [Fact]
    public void RunTests_FailingAssertion_ReportsFailWithTheMessage()
    {
        using var folder = PolicyFolder.WithRules(("gpl", DenyGpl)).Write("tests/gpl.test.js",
            "function test_passes() {\n"
            + "  assertEqual(rules.gpl(fixture({ licences: [{ spdx: 'GPL-3.0-only', file: 'LICENSE', confidence: 1 }] })),\n"
            + "    { decision: 'deny', reason: 'licence GPL-3.0-only' });\n"
            + "}\n"
            + "function test_fails() {\n"
            + "  var r = rules.gpl(fixture());\n"
            + "  assert(r !== null, 'MIT should get an opinion');\n"
            + "}\n"
            + "function test_fails_equal() {\n"
            + "  assertEqual(rules.gpl(fixture({ licences: [{ spdx: 'AGPL-3.0-only', file: 'COPYING', confidence: 1 }] })).reason, 'nope', 'reason');\n"
            + "}\n"
            + "function helper_not_a_test() { throw new Error('not run'); }\n");

        var report = folder.Load().RunTests();

        Assert.Equal(["test_passes", "test_fails", "test_fails_equal"], report.Results.Select(r => r.Test));
        Assert.Equal(1, report.Passed);
        Assert.Equal(2, report.Failed);
        Assert.Equal(new PolicyTestResult("gpl.test.js", "test_passes", true, null), report.Results[0]);
        Assert.Equal("MIT should get an opinion (gpl.test.js:7)", report.Results[1].Message);
        Assert.Equal("reason: expected \"nope\", got \"licence AGPL-3.0-only\" (gpl.test.js:10)", report.Results[2].Message);
    }

    [Fact]
    public void RunTests_RuleErrorInsideTest_FailsWithThePolicyError()
    {
        using var folder = PolicyFolder.WithRules(("loop", "function rule() { while (true) {} }"))
            .Write("tests/loop.test.js", "function test_loop() { rules.loop(fixture()); }\n");

        var result = Assert.Single(folder.Load().RunTests().Results);

        Assert.False(result.Passed);
        Assert.StartsWith("policy error in loop.js: ", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTests_TestThatLoops_FailsWithoutHanging()
    {
        using var folder = PolicyFolder.WithRules(("a", DenyGpl))
            .Write("tests/a.test.js", "function test_loop() { for (;;) {} }\nfunction test_ok() {}\n");

        var report = folder.Load().RunTests();

        Assert.False(report.Results[0].Passed);
        Assert.Matches("timed out|statements", report.Results[0].Message);
        Assert.True(report.Results[1].Passed);
    }

    [Fact]
    public void RunTests_EachTestGetsAFreshEngine()
    {
        using var folder = PolicyFolder.WithRules(("a", DenyGpl)).Write("tests/a.test.js",
            "var runs = 0;\n"
            + "function test_one() { runs++; assertEqual(runs, 1); }\n"
            + "function test_two() { runs++; assertEqual(runs, 1); }\n");

        Assert.Equal(2, folder.Load().RunTests().Passed);
    }

    [Fact]
    public void RunTests_FixtureDeepMerges_AndConfigIsTheWholeFile()
    {
        using var folder = PolicyFolder.WithRules(("a", DenyGpl))
            .Write("config.json", "{ \"a\": { \"x\": 1 } }")
            .Write("tests/a.test.js",
                "function test_merge() {\n"
                + "  var f = fixture({ times: { ageDays: 1 }, repository: { archived: true }, licences: [] });\n"
                + "  assertEqual(f.times.ageDays, 1);\n"
                + "  assertEqual(f.times.ageSource, 'index');\n"
                + "  assertEqual(f.repository.archived, true);\n"
                + "  assertEqual(f.repository.owner, 'example');\n"
                + "  assertEqual(f.licences, []);\n"
                + "  assertEqual(f.module.path, 'github.com/example/module');\n"
                + "  assertEqual(fixture().licences[0].spdx, 'MIT');\n"
                + "  assertEqual(config, { a: { x: 1 } });\n"
                + "  assertEqual(Object.keys(rules), ['a']);\n"
                + "}\n");

        var result = Assert.Single(folder.Load().RunTests().Results);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void RunTests_FileWithoutTests_IsReportedAsFailure()
    {
        using var folder = PolicyFolder.WithRules(("a", DenyGpl)).Write("tests/empty.test.js", "// nothing yet\n");

        var result = Assert.Single(folder.Load().RunTests().Results);

        Assert.Equal(new PolicyTestResult("empty.test.js", "(load)", false, "no test_ functions found"), result);
    }

    [Fact]
    public void RunTests_HelperFilesInTests_AreNotRun()
    {
        using var folder = PolicyFolder.WithRules(("a", DenyGpl)).Write("tests/helpers.js", "function test_x() { throw new Error('x'); }\n");

        Assert.Empty(folder.Load().RunTests().Results);
    }
}
