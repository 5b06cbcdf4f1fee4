using System.Text;
using System.Text.Json;
using Acornima.Ast;
using Jint;

namespace SecureGateway.Policy;

/// <summary>
/// One rule file, prepared once per bundle load. An evaluation is a single entry into a fresh engine (so the
/// sandbox limits bound all of it): the rule file's text followed, on a new line, by a driver that parses the
/// config JSON (the facts are parsed as the rule reads them, see <see cref="RuleFacts"/>), calls
/// <c>rule(facts, config)</c> and turns the result into a JSON string inside the sandbox (property getters of a
/// returned object run under the limits too). Only that string leaves the engine.
/// </summary>
internal sealed class CompiledRule
{
    private const string FactsGlobal = "__policyFacts";
    private const string ConfigGlobal = "__policyConfig";
    private const int MaxReasonLength = 1000;

    // Appended after the rule's own text; its completion value is the evaluation's result.
    private const string Driver = "\n;(function (r) {\n"
        + "  if (r === undefined || r === null) return 'null';\n"
        + "  if (Array.isArray(r)) return JSON.stringify({ garbage: 'an array' });\n"
        + "  if (typeof r !== 'object') return JSON.stringify({ garbage: typeof r + ' (' + String(r).slice(0, 80) + ')' });\n"
        + "  return JSON.stringify({ decision: r.decision === undefined ? null : r.decision, reason: r.reason === undefined ? null : r.reason });\n"
        + "})(rule(typeof " + FactsGlobal + " === 'string' ? JSON.parse(" + FactsGlobal + ") : " + FactsGlobal + ", JSON.parse(" + ConfigGlobal + ")));\n";

    private static readonly Prepared<Script> DefinesRule =
        PolicySandbox.Prepare("typeof rule === 'function'", "(rule check)");

    private readonly Prepared<Script> _evaluation;
    private readonly string _configJson;

    private readonly int _sourceLines;

    private CompiledRule(string name, Prepared<Script> evaluation, string configJson, int sourceLines)
    {
        Name = name;
        _sourceLines = sourceLines;
        _evaluation = evaluation;
        _configJson = configJson;
    }

    public string Name { get; }

    public string FileName => Name + ".js";

    /// <summary>Prepares the rule and checks that its top-level code runs and defines <c>rule</c>; null (with problems added) if not.</summary>
    public static CompiledRule? TryCompile(string name, string source, string configJson, List<string> problems)
    {
        var file = name + ".js";
        try
        {
            // The file alone first, so syntax errors carry the file's own line numbers.
            var plain = PolicySandbox.Prepare(source, file);
            using (var engine = PolicySandbox.Rules.CreateEngine())
            {
                try
                {
                    engine.Execute(in plain);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    problems.Add($"{file}: top-level code failed: {PolicySandbox.Rules.Describe(ex)}");
                    return null;
                }

                if (!engine.Evaluate(in DefinesRule).AsBoolean())
                {
                    problems.Add($"{file}: defines no global function rule(facts, config)");
                    return null;
                }
            }

            return new CompiledRule(name, PolicySandbox.Prepare(source + Driver, file), configJson, source.Count(c => c == '\n') + 1);
        }
        catch (PolicyBundleException ex)
        {
            problems.AddRange(ex.Problems);
            return null;
        }
    }

    /// <summary>Evaluates the rule on facts; <paramref name="configJson"/> null means the bundle's config for this rule.</summary>
    public RuleResult Evaluate(RuleFacts facts, string? configJson)
    {
        string output;
        try
        {
            using var engine = PolicySandbox.Rules.CreateEngine();
            engine.SetValue(FactsGlobal, facts.In(engine));
            engine.SetValue(ConfigGlobal, configJson ?? _configJson);
            var value = engine.Evaluate(in _evaluation);
            if (!value.IsString())
            {
                return PolicyErrors.Result(Name, "the rule file's last statement interfered with the result");
            }

            output = value.AsString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return PolicyErrors.Result(Name, PolicySandbox.Rules.Describe(ex, _sourceLines));
        }

        return Interpret(output);
    }

    private RuleResult Interpret(string output)
    {
        using var document = JsonDocument.Parse(output);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Null)
        {
            return new RuleResult(Name, PolicyVerdict.None, null);
        }

        if (root.TryGetProperty("garbage", out var garbage))
        {
            return PolicyErrors.Result(Name, $"returned {garbage.GetString()}; a rule returns {{ decision, reason }} or null");
        }

        var decision = root.GetProperty("decision");
        var verdict = decision.ValueKind == JsonValueKind.String
            ? decision.GetString() switch
            {
                "admit" => PolicyVerdict.Admit,
                "quarantine" => PolicyVerdict.Quarantine,
                "deny" => PolicyVerdict.Deny,
                _ => PolicyVerdict.None,
            }
            : PolicyVerdict.None;
        if (verdict == PolicyVerdict.None)
        {
            return PolicyErrors.Result(Name, $"returned decision {Truncate(decision.GetRawText(), 80)}; want \"admit\", \"deny\" or \"quarantine\"");
        }

        var reasonElement = root.GetProperty("reason");
        if (reasonElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return PolicyErrors.Result(Name, $"returned reason {Truncate(reasonElement.GetRawText(), 80)}; want a string");
        }

        var reason = Clean(reasonElement.GetString());
        if (reason is null && verdict != PolicyVerdict.Admit)
        {
            return PolicyErrors.Result(Name, $"returned \"{PolicyVerdicts.Name(verdict)}\" without a reason");
        }

        return new RuleResult(Name, verdict, reason);
    }

    // Reasons end up on lines of go's output and in the audit log: one line, bounded.
    private static string? Clean(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(reason.Length, MaxReasonLength + 1));
        foreach (var c in reason)
        {
            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return Truncate(builder.ToString().Trim(), MaxReasonLength);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
