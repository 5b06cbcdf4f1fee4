using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Ledger;
using SecureGateway.Modules;
using SecureGateway.Policy;
using SecureGateway.Storage;

namespace SecureGateway.Admission;

public sealed record ReevaluationProgress(int Total, int Done, int Changed);

public sealed record ReevaluationChange(string Module, string Version, string From, string To, IReadOnlyList<string> Reasons, IReadOnlyList<string> Consumers, long DecisionId);

public sealed record ReevaluationSummary(
    string Revision, int Evaluated, int WaiversInForce, int WithoutFacts, IReadOnlyList<ReevaluationChange> Changes, DateTimeOffset Started, DateTimeOffset Finished);

/// <summary>
/// Runs the live policies again over every admitted version with current facts (new vulnerability data, a new denylist
/// line, the passing of time). A version that now fails is taken out of the cache into quarantine and the move is
/// recorded as a decision naming the consumers who already pulled it. A reviewer's release holds until its waiver expires.
/// </summary>
public sealed class Reevaluation(
    CurrentDecisions current, DecisionLog decisions, DownloadConsumers consumersOf, FactsCollector facts, GatewayStorage storage, AuditEventLog events, TimeProvider time)
{
    /// <param name="onlyExpiredWaivers">Re-evaluate only releases whose waiver has lapsed (the periodic check), not every admitted version.</param>
    public async Task<ReevaluationSummary> RunAsync(
        PolicyBundle bundle, string actor, bool onlyExpiredWaivers, IProgress<ReevaluationProgress>? progress, CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var admitted = (await current.WithOutcomeAsync(DecisionOutcome.Admitted, null, null, cancellationToken))
            .Where(d => !onlyExpiredWaivers || d.ExpiresAt <= started)
            .ToList();
        var changes = new List<ReevaluationChange>();
        var (evaluated, waivers, withoutFacts) = (0, 0, 0);
        for (var i = 0; i < admitted.Count; i++)
        {
            var decision = admitted[i];
            var waiverExpired = decision.ExpiresAt <= started;
            if (decision.Actor != AdmissionService.GatewayActor && decision.Justification is not null && !waiverExpired)
            {
                waivers++;
            }
            else if (StoredFacts.Of(decision, bundle, started) is not { } recorded)
            {
                withoutFacts++;
            }
            else
            {
                evaluated++;
                var refreshed = await facts.RefreshAsync(recorded, bundle, cancellationToken);
                var verdict = bundle.Evaluate(refreshed);
                if (verdict.Verdict is PolicyVerdict.Deny or PolicyVerdict.Quarantine || waiverExpired)
                {
                    changes.Add(await RecordAsync(decision, refreshed, verdict, waiverExpired, actor, bundle.Revision, cancellationToken));
                }
            }

            progress?.Report(new(admitted.Count, i + 1, changes.Count));
        }

        var summary = new ReevaluationSummary(bundle.Revision, evaluated, waivers, withoutFacts, changes, started, time.GetUtcNow());
        await events.AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.ReevaluationRun,
            Actor = actor,
            Subject = bundle.Revision,
            Summary = $"re-evaluated {evaluated} admitted versions with policy {bundle.Revision}: {changes.Count(c => c.To != "admitted")} taken back, " +
                $"{changes.Count(c => c.To == "admitted")} expired waivers now admitted by policy, {waivers} waivers in force, {withoutFacts} without recorded facts",
            Evidence = string.Join('\n', changes.Select(c => $"{c.Module}@{c.Version}: {c.From} → {c.To} (decision {c.DecisionId})")),
        }, cancellationToken);
        return summary;
    }

    private async Task<ReevaluationChange> RecordAsync(
        Decision previous, ModuleFacts refreshed, PolicyDecision verdict, bool waiverExpired, string actor, string revision, CancellationToken cancellationToken)
    {
        var module = new ModuleVersion(previous.Module, previous.Version);
        var outcome = verdict.Verdict switch
        {
            PolicyVerdict.Deny => DecisionOutcome.Denied,
            PolicyVerdict.Quarantine => DecisionOutcome.Quarantined,
            _ => DecisionOutcome.Admitted,
        };
        var consumers = (await consumersOf.FindAsync(module.Path, module.Version, cancellationToken)).Select(c => c.Client).Order(StringComparer.Ordinal).ToList();
        IEnumerable<string> reasons = outcome == DecisionOutcome.Admitted ? [$"waiver expired; policy {revision} admits"] : verdict.Reasons;
        if (waiverExpired)
        {
            reasons = reasons.Append($"waiver by {previous.Actor} expired {previous.ExpiresAt:u}");
        }

        var decision = await decisions.RecordAsync(new Decision
        {
            Module = module.Path,
            Version = module.Version,
            Outcome = outcome,
            Reasons = [.. reasons, consumers.Count == 0 ? "no client had pulled it" : $"already pulled by: {string.Join(", ", consumers)}"],
            ZipHash = previous.ZipHash,
            GoModHash = previous.GoModHash,
            ZipSize = previous.ZipSize,
            GoModSize = previous.GoModSize,
            FileCount = previous.FileCount,
            Upstream = previous.Upstream,
            ChecksumDb = previous.ChecksumDb,
            ChecksumDbTreeSize = previous.ChecksumDbTreeSize,
            ChecksumDbTreeHash = previous.ChecksumDbTreeHash,
            ChecksumDbRecordId = previous.ChecksumDbRecordId,
            PolicyRevision = revision,
            Facts = PolicyJson.Serialize(refreshed),
            RuleResults = System.Text.Json.JsonSerializer.Serialize(verdict.Rules, PolicyJson.Options),
            Actor = $"{actor} (re-evaluation)",
        }, cancellationToken);
        if (outcome != DecisionOutcome.Admitted)
        {
            storage.Cache.MoveTo(module, storage.Quarantine);
        }

        return new(module.Path, module.Version, "admitted", outcome.ToString().ToLowerInvariant(), decision.Reasons, consumers, decision.Id);
    }
}
