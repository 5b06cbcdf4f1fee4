using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace SecureGateway.Policy;

/// <summary>A file under <c>policies/tests/</c>, prepared once per bundle load.</summary>
internal sealed class PolicyTestFile
{
    internal const string TestGlobal = "__policyTest";

    // Appended after the test file: with __policyTest set, run that test; otherwise list the test_ functions.
    private const string Driver = "\n;(typeof " + TestGlobal + " === 'string'\n"
        + "  ? (globalThis[" + TestGlobal + "](), '')\n"
        + "  : Object.getOwnPropertyNames(globalThis).filter(function (n) {\n"
        + "      return n.indexOf('test_') === 0 && typeof Object.getOwnPropertyDescriptor(globalThis, n).value === 'function';\n"
        + "    }).join('\\n'));\n";

    private PolicyTestFile(string name, Prepared<Script> script)
    {
        Name = name;
        Script = script;
    }

    /// <summary>The file name within tests/, e.g. <c>licence.test.js</c>.</summary>
    public string Name { get; }

    public Prepared<Script> Script { get; }

    public static PolicyTestFile? TryCompile(string name, string source, List<string> problems)
    {
        var file = PolicyBundle.TestsFolder + "/" + name;
        try
        {
            PolicySandbox.Prepare(source, file);
            return new PolicyTestFile(name, PolicySandbox.Prepare(source + Driver, file));
        }
        catch (PolicyBundleException ex)
        {
            problems.AddRange(ex.Problems);
            return null;
        }
    }
}

/// <summary>
/// Runs policy tests. Each test function runs in a fresh engine (<see cref="PolicySandbox.Tests"/>) holding the
/// helpers <c>rules</c>, <c>config</c>, <c>fixture</c>, <c>assert</c> and <c>assertEqual</c>; <c>rules.&lt;name&gt;</c>
/// evaluates the rule exactly as <see cref="PolicyBundle.Evaluate"/> does, in its own sandboxed engine.
/// </summary>
internal sealed partial class PolicyTestRunner
{
    private const string Harness = """
        (function (g) {
          'use strict';
          var parse = JSON.parse, stringify = JSON.stringify;
          var callRule = g.__policyCallRule, configAll = parse(g.__policyConfigJson);
          var fixtureJson = g.__policyFixtureJson, ruleNames = parse(g.__policyRuleNames);
          function isObject(v) { return v !== null && typeof v === 'object' && !Array.isArray(v); }
          function merge(base, overrides) {
            if (!isObject(base) || !isObject(overrides)) return overrides;
            var out = {};
            Object.keys(base).forEach(function (k) { out[k] = base[k]; });
            Object.keys(overrides).forEach(function (k) { out[k] = k in base ? merge(base[k], overrides[k]) : overrides[k]; });
            return out;
          }
          function equal(a, b) {
            if (Object.is(a, b)) return true;
            if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
            if (Array.isArray(a) !== Array.isArray(b)) return false;
            var ka = Object.keys(a), kb = Object.keys(b);
            if (ka.length !== kb.length) return false;
            return ka.every(function (k) { return Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]); });
          }
          function show(v) { return v === undefined ? 'undefined' : stringify(v); }
          var rules = {};
          ruleNames.forEach(function (name) {
            rules[name] = function (facts, config) {
              var out = parse(callRule(name, stringify(facts === undefined ? null : facts),
                stringify(config === undefined ? (configAll[name] === undefined ? {} : configAll[name]) : config)));
              if (out.error !== undefined) throw new Error(out.error);
              return out.result;
            };
          });
          g.rules = Object.freeze(rules);
          g.config = configAll;
          g.fixture = function fixture(overrides) {
            var base = parse(fixtureJson);
            return overrides === undefined ? base : merge(base, overrides);
          };
          g.assert = function assert(condition, message) {
            if (!condition) throw new Error(message === undefined ? 'assertion failed' : String(message));
          };
          g.assertEqual = function assertEqual(actual, expected, message) {
            if (!equal(actual, expected)) {
              throw new Error((message === undefined ? '' : String(message) + ': ') + 'expected ' + show(expected) + ', got ' + show(actual));
            }
          };
        })(globalThis);
        """;

    private static readonly Prepared<Script> HarnessScript = PolicySandbox.Prepare(Harness, "(policy test harness)");

    private readonly Dictionary<string, CompiledRule> _rules;
    private readonly string _configJson;
    private readonly string _ruleNamesJson;
    private readonly string _fixtureJson;

    public PolicyTestRunner(IReadOnlyList<CompiledRule> rules, string configJson)
    {
        _rules = rules.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _configJson = configJson;
        _ruleNamesJson = JsonSerializer.Serialize(rules.Select(r => r.Name));
        _fixtureJson = PolicyJson.Serialize(ModuleFacts.Example(DateTimeOffset.UtcNow));
    }

    public PolicyTestReport Run(IEnumerable<PolicyTestFile> files)
    {
        var results = new List<PolicyTestResult>();
        foreach (var file in files)
        {
            string names;
            try
            {
                names = RunInFreshEngine(file, test: null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                results.Add(new PolicyTestResult(file.Name, "(load)", false, Describe(ex, file)));
                continue;
            }

            var tests = names.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (tests.Length == 0)
            {
                results.Add(new PolicyTestResult(file.Name, "(load)", false, "no test_ functions found"));
            }

            foreach (var test in tests)
            {
                try
                {
                    RunInFreshEngine(file, test);
                    results.Add(new PolicyTestResult(file.Name, test, true, null));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    results.Add(new PolicyTestResult(file.Name, test, false, Describe(ex, file)));
                }
            }
        }

        return new PolicyTestReport(results);
    }

    private string RunInFreshEngine(PolicyTestFile file, string? test)
    {
        using var engine = PolicySandbox.Tests.CreateEngine();
        engine.SetValue("__policyConfigJson", _configJson);
        engine.SetValue("__policyFixtureJson", _fixtureJson);
        engine.SetValue("__policyRuleNames", _ruleNamesJson);
        engine.SetValue("__policyCallRule", new ClrFunction(engine, "__policyCallRule", CallRule));
        engine.Execute(in HarnessScript);
        if (test is not null)
        {
            engine.SetValue(PolicyTestFile.TestGlobal, test);
        }

        return engine.Evaluate(file.Script).AsString();
    }

    // rules.<name>(facts, config) → {"result": null | {decision, reason}} or {"error": "policy error in …"}.
    private JsString CallRule(JsValue thisObject, JsValue[] arguments)
    {
        var name = arguments.Length > 0 && arguments[0].IsString() ? arguments[0].AsString() : "";
        var facts = arguments.Length > 1 && arguments[1].IsString() ? arguments[1].AsString() : "null";
        var config = arguments.Length > 2 && arguments[2].IsString() ? arguments[2].AsString() : "{}";
        var result = _rules.TryGetValue(name, out var rule)
            ? rule.Evaluate(RuleFacts.Of(facts), config)
            : PolicyErrors.Result(name, "no such rule");
        object payload = result switch
        {
            { IsPolicyError: true } => new { error = result.Reason },
            { Verdict: PolicyVerdict.None } => new { result = (object?)null },
            _ => new { result = (object?)new { decision = PolicyVerdicts.Name(result.Verdict), reason = result.Reason } },
        };
        return new JsString(JsonSerializer.Serialize(payload, PolicyJson.Options));
    }

    // The message, and the line in the test file where it was raised (the innermost frame in that file).
    private static string Describe(Exception ex, PolicyTestFile file)
    {
        // Lines are taken from the stack below: the throw site is often inside assert() in the harness.
        var message = PolicySandbox.Tests.Describe(ex, sourceLines: 0);
        if (ex is JavaScriptException { JavaScriptStackTrace: { } stack })
        {
            var match = StackFrame().Matches(stack)
                .FirstOrDefault(m => m.Groups["file"].Value.EndsWith(file.Name, StringComparison.Ordinal));
            if (match is not null)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{message} ({file.Name}:{match.Groups["line"].Value})");
            }
        }

        return message;
    }

    [GeneratedRegex(@"(?<file>[^\s(]+):(?<line>\d+):\d+", RegexOptions.CultureInvariant)]
    private static partial Regex StackFrame();
}
