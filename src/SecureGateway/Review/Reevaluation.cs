using System.Text.Json;
using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Ledger;
using SecureGateway.Modules;
using SecureGateway.Policy;

namespace SecureGateway.Review;

public sealed record ReevaluationProgress(int Total, int Done, int Changed);

public sealed record ReevaluationChange(string Module, string Version, string From, string To, IReadOnlyList<string> Reasons, IReadOnlyList<string> Consumers, long DecisionId);

public sealed record ReevaluationSummary(
    string Revision, int Evaluated, int WaiversInForce, int WithoutFacts, IReadOnlyList<ReevaluationChange> Changes, DateTimeOffset Started, DateTimeOffset Finished);

/// <summary>Which admitted versions a run looks at.</summary>
public enum ReevaluationScope
{
    /// <summary>Every admitted version (a reviewer's run).</summary>
    All,

    /// <summary>Releases whose waiver has lapsed (the periodic check).</summary>
    ExpiredWaivers,

    /// <summary>The versions named by the caller (a new denylist entry, a new advisory).</summary>
    Named,
}

/// <summary>
/// Runs the live policies again over admitted versions with current facts (new vulnerability data, a new denylist line,
/// the passing of time). A version that now fails is taken out of service into quarantine or denied, recorded as a
/// decision naming the consumers who already pulled it. A reviewer's release overrides only the refusals it was given
/// for: a rule that did not refuse at release time (a new denylist entry), or a vulnerability unknown then, refuses again.
/// </summary>
public sealed class Reevaluation(
    CurrentDecisions current, ReviewLog log, DownloadConsumers consumersOf, FactsCollector facts, AuditEventLog events, TimeProvider time)
{
    public async Task<ReevaluationSummary> RunAsync(
        PolicyBundle bundle, string actor, ReevaluationScope scope, IProgress<ReevaluationProgress>? progress, CancellationToken cancellationToken,
        IReadOnlySet<ModuleVersion>? named = null)
    {
        var started = time.GetUtcNow();
        var admitted = scope == ReevaluationScope.Named
            ? [.. await current.OfVersionsAsync(DecisionOutcome.Admitted, named!, cancellationToken)]
            : (await current.WithOutcomeAsync(DecisionOutcome.Admitted, null, null, cancellationToken))
                .Where(d => scope != ReevaluationScope.ExpiredWaivers || d.ExpiresAt <= started)
                .ToList();
        var changes = new List<ReevaluationChange>();
        var (evaluated, waivers, withoutFacts) = (0, 0, 0);
        for (var i = 0; i < admitted.Count; i++)
        {
            var decision = admitted[i];
            var waiverExpired = decision.ExpiresAt <= started;
            var released = decision.Actor != AdmissionService.GatewayActor && decision.Justification is not null && !waiverExpired;
            if (StoredFacts.Of(decision, bundle, started) is not { } recorded)
            {
                withoutFacts++;
            }
            else
            {
                evaluated++;
                var refreshed = await facts.RefreshAsync(recorded, bundle, cancellationToken);
                var verdict = bundle.Evaluate(refreshed);
                var refusals = released ? NotCoveredByRelease(decision, verdict, refreshed) : Refusals(verdict);
                if (released && refusals.Count == 0)
                {
                    waivers++;
                }
                else if (refusals.Count > 0 || waiverExpired)
                {
                    changes.Add(await RecordAsync(decision, refreshed, verdict, refusals, waiverExpired, released, actor, bundle.Revision, cancellationToken));
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
            Summary = $"re-evaluated {evaluated} admitted versions ({scope.ToString().ToLowerInvariant()}) with policy {bundle.Revision}: {changes.Count(c => c.To != "admitted")} taken back, " +
                $"{changes.Count(c => c.To == "admitted")} expired waivers now admitted by policy, {waivers} releases still in force, {withoutFacts} without recorded facts",
            Evidence = string.Join('\n', changes.Select(c => $"{c.Module}@{c.Version}: {c.From} → {c.To} (decision {c.DecisionId})")),
        }, cancellationToken);
        return summary;
    }

    private static List<RuleResult> Refusals(PolicyDecision verdict) =>
        [.. verdict.Rules.Where(r => r.Verdict is PolicyVerdict.Deny or PolicyVerdict.Quarantine)];

    /// <summary>
    /// The refusals a release did not override: rules that did not refuse when it was given, and refusals naming a
    /// vulnerability (id or alias) the release's facts did not know.
    /// </summary>
    private static List<RuleResult> NotCoveredByRelease(Decision release, PolicyDecision verdict, ModuleFacts refreshed)
    {
        var refusedThen = (release.RuleResults is null ? [] : JsonSerializer.Deserialize<List<RuleResult>>(release.RuleResults, PolicyJson.Options) ?? [])
            .Where(r => r.Verdict is PolicyVerdict.Deny or PolicyVerdict.Quarantine)
            .Select(r => r.Rule)
            .ToHashSet(StringComparer.Ordinal);
        var knownThen = release.Facts is null
            ? []
            : PolicyJson.Deserialize(release.Facts).Vulnerabilities.SelectMany(v => v.Aliases.Append(v.Id)).ToHashSet(StringComparer.Ordinal);
        var newAdvisories = refreshed.Vulnerabilities.SelectMany(v => v.Aliases.Append(v.Id)).Where(id => !knownThen.Contains(id)).ToList();
        return [.. Refusals(verdict).Where(r => !refusedThen.Contains(r.Rule) || newAdvisories.Any(id => r.Reason?.Contains(id, StringComparison.Ordinal) == true))];
    }

    private async Task<ReevaluationChange> RecordAsync(
        Decision previous, ModuleFacts refreshed, PolicyDecision verdict, List<RuleResult> refusals, bool waiverExpired, bool released,
        string actor, string revision, CancellationToken cancellationToken)
    {
        var module = new ModuleVersion(previous.Module, previous.Version);
        var outcome = refusals.Any(r => r.Verdict == PolicyVerdict.Deny) ? DecisionOutcome.Denied
            : refusals.Count > 0 ? DecisionOutcome.Quarantined
            : DecisionOutcome.Admitted;
        var consumers = (await consumersOf.FindAsync(module.Path, module.Version, cancellationToken)).Select(c => c.Client).Order(StringComparer.Ordinal).ToList();
        IEnumerable<string> reasons = outcome == DecisionOutcome.Admitted
            ? [$"waiver expired; policy {revision} admits"]
            : refusals.Select(r => r.Reason ?? $"{r.Rule}: {r.Verdict.ToString().ToLowerInvariant()}");
        if (waiverExpired)
        {
            reasons = reasons.Append($"waiver by {previous.Actor} expired {previous.ExpiresAt:u}");
        }
        else if (released)
        {
            reasons = reasons.Append($"not covered by the release by {previous.Actor} (decision {previous.Id}): {previous.Justification}");
        }

        Decision decision;
        await using (await log.LockAsync(module, cancellationToken))
        {
            // Acted on meanwhile (revoked, reconsidered, re-evaluated by another process): that act stands.
            if ((await log.LatestAsync(module, cancellationToken))?.Id != previous.Id)
            {
                return new(module.Path, module.Version, "admitted", "admitted", ["changed meanwhile by a later decision; left as it is"], consumers, previous.Id);
            }

            decision = await log.RecordAsync(SuccessorDecision.Of(
                previous, module, outcome,
                [.. reasons, consumers.Count == 0 ? "no client had pulled it" : $"already pulled by: {string.Join(", ", consumers)}"],
                $"{actor} (re-evaluation)",
                policyRun: (revision, PolicyJson.Serialize(refreshed), JsonSerializer.Serialize(verdict.Rules, PolicyJson.Options))), cancellationToken);
        }

        return new(module.Path, module.Version, "admitted", outcome.ToString().ToLowerInvariant(), decision.Reasons, consumers, decision.Id);
    }
}
