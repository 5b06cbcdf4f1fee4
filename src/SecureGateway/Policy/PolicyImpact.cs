using SecureGateway.Audit;

namespace SecureGateway.Policy;

/// <summary>A decided module version whose outcome a candidate bundle would change.</summary>
public sealed record ImpactChange(string From, string To, string Module, string Version, string Reason);

/// <summary>What a candidate bundle would change, against <see cref="Decided"/> module versions with recorded facts.</summary>
public sealed record ImpactReport(string Revision, int Decided, IReadOnlyList<ImpactChange> Changes);

/// <summary>
/// The impact of a candidate policy bundle: every module version's latest decision with facts, evaluated afresh with
/// the candidate (facts as <see cref="StoredFacts"/> replays them). Records nothing. <c>policy impact</c> and the
/// console's policies page both answer with it.
/// </summary>
public sealed class PolicyImpact(DecisionLog decisions, TimeProvider time)
{
    public async Task<ImpactReport> AssessAsync(PolicyBundle candidate, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var changes = new List<ImpactChange>();
        var decided = await decisions.LatestWithFactsAsync(cancellationToken);
        foreach (var decision in decided)
        {
            var verdict = candidate.Evaluate(StoredFacts.Of(decision, candidate, now)!);
            var (from, to) = (decision.Outcome.ToString().ToLowerInvariant(), Outcome(verdict.Verdict));
            if (from != to)
            {
                changes.Add(new ImpactChange(from, to, decision.Module, decision.Version, string.Join("; ", verdict.Reasons)));
            }
        }

        return new ImpactReport(candidate.Revision, decided.Count, changes);
    }

    private static string Outcome(PolicyVerdict verdict) => verdict switch
    {
        PolicyVerdict.Deny => "denied",
        PolicyVerdict.Quarantine => "quarantined",
        _ => "admitted",
    };
}
