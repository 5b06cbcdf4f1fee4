using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Data.Decisions;
using SecureGateway.Policy;

namespace SecureGateway.Audit;

/// <summary>The decisions a given policy rule quarantined or denied, found in their stored rule results.</summary>
internal static class RuleRefusals
{
    /// <remarks>
    /// rule_results is [{ "rule", "verdict", "reason" }]; the verdict is stored as PolicyVerdict's number (2 quarantine,
    /// 3 deny), or its name should a converter ever write names. Containment (@>) is what a GIN index on rule_results
    /// would serve, should this filter ever need one.
    /// </remarks>
    public static IQueryable<Decision> Of(IQueryable<Decision> decisions, string rule)
    {
        var refusals = new object[] { (int)PolicyVerdict.Quarantine, (int)PolicyVerdict.Deny, "quarantine", "deny" }
            .Select(verdict => JsonSerializer.Serialize(new[] { new { rule, verdict } }))
            .ToArray();
        return decisions.Where(d => d.RuleResults != null && (
            EF.Functions.JsonContains(d.RuleResults, refusals[0]) || EF.Functions.JsonContains(d.RuleResults, refusals[1])
            || EF.Functions.JsonContains(d.RuleResults, refusals[2]) || EF.Functions.JsonContains(d.RuleResults, refusals[3])));
    }
}
