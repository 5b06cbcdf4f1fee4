using System.Text.Json;
using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

/// <summary>
/// The facts object a rule receives is parsed a member at a time on first use; to every rule it must be what
/// <c>JSON.parse</c> of the facts JSON was, and no rule may change what another rule sees.
/// </summary>
public sealed class RuleFactsTests
{
    // A rule that answers with what it computed from the facts, as the reason.
    private static string Reason(string body, ModuleFacts? facts = null)
    {
        using var folder = PolicyFolder.WithRules(("probe", "function rule(facts, config) {\n" + body + "\n}\n"));
        var result = Assert.Single(folder.Load().Evaluate(facts ?? Facts.Typical()).Rules);
        Assert.False(result.IsPolicyError, result.Reason);
        return result.Reason!;
    }

    [Fact]
    public void Stringified_IsWhatJsonParseOfTheFactsGives()
    {
        var facts = Facts.Typical();
        using var folder = PolicyFolder.WithRules(("probe", """
            function rule(facts, config) {
              var seen = JSON.stringify(facts), parsed = JSON.stringify(config.expected);
              return { decision: 'deny', reason: seen === parsed ? 'same, ' + seen.length : 'differs: ' + seen };
            }
            """)).Write("config.json", "{\"probe\": {\"expected\": " + PolicyJson.Serialize(facts) + "}}");

        var result = Assert.Single(folder.Load().Evaluate(facts).Rules);

        Assert.Equal("same, " + PolicyJson.Serialize(facts).Length, result.Reason);
    }

    [Fact]
    public void Keys_AreTheMembersInOrder_AndOrdinaryDataProperties()
    {
        var facts = Facts.Typical();
        using var json = JsonDocument.Parse(PolicyJson.Serialize(facts));
        var members = string.Join(",", json.RootElement.EnumerateObject().Select(m => m.Name));

        var seen = Reason("""
            var keys = Object.keys(facts).join(',');
            var plain = Object.keys(facts).every(function (k) {
              var v = facts[k], d = Object.getOwnPropertyDescriptor(facts, k);
              return 'value' in d && d.writable && d.enumerable && d.configurable && d.value === v;
            });
            return { decision: 'deny', reason: keys + '|' + plain + '|' + (Object.getPrototypeOf(facts) === Object.prototype) };
            """, facts);

        Assert.Equal(members + "|true|true", seen);
    }

    [Fact]
    public void AMember_IsTheSameObjectOnEveryRead()
    {
        Assert.Equal("true", Reason("return { decision: 'deny', reason: String(facts.module === facts.module && facts.times === facts.times) };"));
    }

    [Fact]
    public void AMemberWrittenBeforeItIsRead_HoldsTheWrittenValue()
    {
        Assert.Equal("replaced,7", Reason("facts.module = 'replaced'; facts.zip.fileCount = 7; return { decision: 'deny', reason: facts.module + ',' + facts.zip.fileCount };"));
    }

    [Fact]
    public void FrozenFacts_ReadAsBefore_AndRefuseWrites()
    {
        var seen = Reason("""
            Object.freeze(facts);
            var path = facts.module.path, same = facts.module === facts.module;
            var refused;
            try { facts.module = 'x'; refused = 'no'; } catch (e) { refused = e instanceof TypeError ? 'TypeError' : String(e); }
            return { decision: 'deny', reason: path + ',' + same + ',' + refused + ',' + (facts.module.path === path) + ',' + Object.isFrozen(facts) };
            """);

        Assert.Equal(Facts.Typical().Module.Path + ",true,TypeError,true,true", seen);
    }

    [Fact]
    public void ARuleChangingItsFacts_DoesNotChangeWhatTheNextRuleSees()
    {
        // The first rule (by name) tampers with every member it can reach; the second reports what it was given.
        using var folder = PolicyFolder.WithRules(
            ("a_tamper", """
                function rule(facts, config) {
                  facts.licences.push({ spdx: 'MIT' });
                  facts.module.path = 'tampered';
                  Object.prototype.injected = 'yes';
                  delete facts.times;
                  return null;
                }
                """),
            ("b_report", """
                function rule(facts, config) {
                  return { decision: 'deny', reason: JSON.stringify(facts) + '|' + ({}).injected };
                }
                """));
        var facts = Facts.Typical();

        var report = folder.Load().Evaluate(facts).Rules.Single(r => r.Rule == "b_report");

        // Reasons are cut at 1,000 characters: the facts' JSON is longer.
        var expected = PolicyJson.Serialize(facts) + "|undefined";
        Assert.Equal(expected[..1000] + "…", report.Reason);
    }

    [Theory]
    [InlineData("null", "object:null")]
    [InlineData("[1, 2]", "object:[1,2]")]
    [InlineData("'text'", "string:\"text\"")]
    [InlineData("JSON.parse('{\"__proto__\":{\"polluted\":1},\"a\":1}')", "object:{\"__proto__\":{\"polluted\":1},\"a\":1}")]
    public void FactsAPolicyTestPasses_AreWhatJsonParseGives(string passed, string expected)
    {
        // A policy test may hand a rule anything JSON can carry: not an object, or a "__proto__" member.
        var test = $"function test_probe() {{\n  var reason = rules.probe({passed}).reason;\n"
            + $"  assertEqual(reason.slice(0, {expected.Length}), {JsonSerializer.Serialize(expected)});\n}}\n";
        using var folder = PolicyFolder.WithRules(("probe", """
            function rule(facts, config) {
              var plain = facts === null || typeof facts !== 'object'
                || Object.getPrototypeOf(facts) === (Array.isArray(facts) ? Array.prototype : Object.prototype);
              return { decision: 'deny', reason: typeof facts + ':' + JSON.stringify(facts) + (plain ? '' : ' (prototype changed)') };
            }
            """)).Write("tests/probe.test.js", test);

        var result = Assert.Single(folder.Load().RunTests().Results);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void FactsNestedDeeperThanJsonParseAllows_AreStillAPolicyError()
    {
        using var folder = PolicyFolder.WithRules(("probe", "function rule(facts, config) { return { decision: 'deny', reason: 'parsed' }; }"))
            .Write("tests/probe.test.js", "function test_deep() {\n  var d = 1;\n  for (var i = 0; i < 70; i++) d = [d];\n  rules.probe({ deep: d });\n}\n");

        var result = Assert.Single(folder.Load().RunTests().Results);

        Assert.False(result.Passed);
        Assert.Contains("depth", result.Message, StringComparison.Ordinal);
    }
}
