using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class PolicyBundleLoadTests
{
    private const string Admit = "function rule(facts, config) { return { decision: 'admit', reason: 'ok' }; }";

    [Fact]
    public void Load_ShippedPolicies_LoadsEveryRule()
    {
        var bundle = PolicyBundle.Load(PolicyFolder.Shipped);

        Assert.Equal(["age", "denylist", "licence", "malicious", "repository", "vulnerabilities"], bundle.RuleNames);
        Assert.Matches("^[0-9a-f]{64}$", bundle.Revision);
        Assert.Equal(0, bundle.Denylist.Count);
        Assert.Equal(Path.GetFullPath(PolicyFolder.Shipped), bundle.Directory);
    }

    [Fact]
    public void Load_SyntaxError_NamesFileAndLine()
    {
        using var folder = PolicyFolder.WithRules(("good", Admit), ("broken", "function rule(facts, config) {\n  var x = ;\n  return null;\n}\n"));

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        var problem = Assert.Single(ex.Problems);
        Assert.StartsWith("broken.js:2:", problem, StringComparison.Ordinal);
        Assert.Contains("broken.js:2:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnclosedFunctionAtEndOfFile_ReportsTheFilesOwnLines()
    {
        using var folder = PolicyFolder.WithRules(("broken", "function rule(facts, config) {\n  return null;\n"));

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.Matches(@"^broken\.js:[23]:", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_StrictModeViolation_IsASyntaxError()
    {
        using var folder = PolicyFolder.WithRules(("sloppy", "function rule(facts, config) { with (facts) { return null; } }"));

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.StartsWith("sloppy.js:1:", Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingRuleFunction_IsAProblem()
    {
        using var folder = PolicyFolder.WithRules(("norule", "function decide(facts) { return null; }"));

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.Equal("norule.js: defines no global function rule(facts, config)", Assert.Single(ex.Problems));
    }

    [Fact]
    public void Load_TopLevelCodeThrows_IsAProblem()
    {
        using var folder = PolicyFolder.WithRules(("boom", "throw new Error('at load');\nfunction rule() { return null; }"));

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.Contains("boom.js: top-level code failed: at load", Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"age\": ", "config.json:")]
    [InlineData("[1, 2]", "config.json: must be a JSON object")]
    [InlineData("{ \"agee\": {} }", "config.json: \"agee\" names no rule")]
    [InlineData("{ \"age\": 7 }", "config.json: \"age\" must be an object")]
    public void Load_BadConfig_IsAProblem(string config, string expected)
    {
        using var folder = PolicyFolder.WithRules(("age", Admit)).Write("config.json", config);

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.StartsWith(expected, Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadDenylistLine_NamesTheLine()
    {
        using var folder = PolicyFolder.WithRules(("a", Admit)).Write("denylist.txt", "# comment\n\ngithub.com/evil/*\ngolang.org/x/crypto >=0.25.0\n");

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.StartsWith("denylist.txt: line 4: bad version constraint", Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SyntaxErrorInTest_IsAProblem()
    {
        using var folder = PolicyFolder.WithRules(("a", Admit)).Write("tests/a.test.js", "function test_x() {\n  assert(;\n}\n");

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.StartsWith("tests/a.test.js:2:", Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SeveralProblems_ListsEveryOne()
    {
        using var folder = PolicyFolder.WithRules(("a", "function rule( {"), ("b", "var x = 1;"))
            .Write("config.json", "{ \"zzz\": {} }")
            .Write("denylist.txt", "github.com/[evil\n");

        var ex = Assert.Throws<PolicyBundleException>(folder.Load);

        Assert.Equal(4, ex.Problems.Count);
        Assert.All(ex.Problems, p => Assert.Contains(p, ex.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Load_NoRules_IsAProblem()
    {
        using var folder = new PolicyFolder();

        Assert.Throws<PolicyBundleException>(folder.Load);
    }

    [Fact]
    public void Load_MissingDirectory_Throws()
    {
        Assert.Throws<PolicyBundleException>(() => PolicyBundle.Load(Path.Combine(Path.GetTempPath(), "sg-no-such-" + Guid.NewGuid())));
    }

    [Theory]
    [InlineData("licence.js")]
    [InlineData("config.json")]
    [InlineData("denylist.txt")]
    [InlineData("tests/age.test.js")]
    public void Revision_AnyFileChanges_Changes(string file)
    {
        using var folder = PolicyFolder.CopyOfShipped();
        var before = folder.Load().Revision;

        folder.Write(file, File.ReadAllText(Path.Combine(folder.Path, file)) + "\n");

        Assert.NotEqual(before, folder.Load().Revision);
    }

    [Fact]
    public void Revision_SameContent_IsStable()
    {
        using var copy = PolicyFolder.CopyOfShipped();

        Assert.Equal(PolicyBundle.Load(PolicyFolder.Shipped).Revision, copy.Load().Revision);
    }

    [Fact]
    public void Revision_ReadmeChanges_DoesNotChange()
    {
        using var folder = PolicyFolder.CopyOfShipped();
        var before = folder.Load().Revision;

        folder.Write("README.md", "changed");

        Assert.Equal(before, folder.Load().Revision);
    }

    [Fact]
    public void Revision_NewRuleFile_Changes()
    {
        using var folder = PolicyFolder.CopyOfShipped();
        var before = folder.Load().Revision;

        folder.Write("extra.js", Admit);

        Assert.NotEqual(before, folder.Load().Revision);
    }
}
