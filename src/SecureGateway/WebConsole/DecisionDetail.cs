using System.Text.Json;
using SecureGateway.Data.Decisions;
using SecureGateway.Policy;

namespace SecureGateway.WebConsole;

/// <summary>A recorded decision with its facts and rule results read back, for the version and decision pages.</summary>
public sealed record DecisionDetail(Decision Decision, ModuleFacts? Facts, IReadOnlyList<RuleResult> Rules, string? FactsJson)
{
    public static DecisionDetail Of(Decision decision)
    {
        ModuleFacts? facts = null;
        string? pretty = null;
        if (decision.Facts is { } json)
        {
            using var document = JsonDocument.Parse(json);
            pretty = JsonSerializer.Serialize(document.RootElement, Indented);
            try
            {
                facts = PolicyJson.Deserialize(json);
            }
            catch (JsonException)
            {
                // Facts recorded in a shape this version no longer reads: the raw JSON is still shown.
            }
        }

        var rules = decision.RuleResults is { } results
            ? JsonSerializer.Deserialize<RuleResult[]>(results, PolicyJson.Options) ?? []
            : [];
        return new DecisionDetail(decision, facts, rules, pretty);
    }

    public static string Verdict(PolicyVerdict verdict) => verdict == PolicyVerdict.None ? "no opinion" : verdict.ToString().ToLowerInvariant();

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
