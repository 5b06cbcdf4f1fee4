using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Review;

public enum ReviewStatus
{
    /// <summary>The act was recorded and governs at once.</summary>
    Done,

    /// <summary>The request is incomplete (no justification, a bad expiry, a bad version or range).</summary>
    Invalid,

    /// <summary>The gateway has never decided about this version (or no known version matches).</summary>
    NotFound,

    /// <summary>The version is not in the state the act needs (e.g. a release of a version not in quarantine).</summary>
    Conflict,
}

public sealed record ReviewResult(ReviewStatus Status, string Message, Decision? Decision = null);

/// <summary>
/// A reviewer's acts on quarantined versions: release (optionally as a waiver that lapses) or final denial.
/// Each act is a decision with the reviewer as actor and their justification, recorded before the files move.
/// </summary>
public sealed class QuarantineReview(ReviewLog log, TimeProvider time)
{
    public async Task<ReviewResult> ReleaseAsync(ModuleVersion module, string actor, string? justification, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        if (expires is { } expiry && expiry <= time.GetUtcNow())
        {
            return new(ReviewStatus.Invalid, $"expires {expiry:u} is not in the future");
        }

        await using var held = await log.LockAsync(module, cancellationToken);
        var (quarantined, refusal) = await QuarantinedAsync(module, justification, cancellationToken);
        if (quarantined is null)
        {
            return refusal!;
        }

        // Files held by another gateway's folder are fetched again here on the next request and must hash to the same values.
        var released = await log.RecordAsync(Release(quarantined, actor, justification!, expires), cancellationToken);
        return new(ReviewStatus.Done, $"released {module} (decision {released.Id})", released);
    }

    public async Task<ReviewResult> DenyAsync(ModuleVersion module, string actor, string? justification, CancellationToken cancellationToken)
    {
        await using var held = await log.LockAsync(module, cancellationToken);
        var (quarantined, refusal) = await QuarantinedAsync(module, justification, cancellationToken);
        if (quarantined is null)
        {
            return refusal!;
        }

        var denied = await log.RecordAsync(Denial(quarantined, actor, justification!), cancellationToken);
        return new(ReviewStatus.Done, $"denied {module} (decision {denied.Id})", denied);
    }

    private async Task<(Decision? Quarantined, ReviewResult? Refusal)> QuarantinedAsync(ModuleVersion module, string? justification, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(justification))
        {
            return (null, new(ReviewStatus.Invalid, "a justification is required"));
        }

        var latest = await log.LatestAsync(module, cancellationToken);
        return latest switch
        {
            null => (null, new(ReviewStatus.NotFound, $"{module} has never been decided by this gateway")),
            { Outcome: not DecisionOutcome.Quarantined } => (null, new(ReviewStatus.Conflict,
                $"{module} is not in quarantine: its latest decision {latest.Id} is {latest.Outcome.ToString().ToLowerInvariant()} (use revoke to refuse it)")),
            _ => (latest, null),
        };
    }

    /// <summary>The decision recording a release; <paramref name="at"/> left default, the database's clock dates it.</summary>
    internal static Decision Release(Decision quarantined, string actor, string justification, DateTimeOffset? expires, DateTimeOffset at = default) =>
        SuccessorDecision.Of(
            quarantined, new ModuleVersion(quarantined.Module, quarantined.Version), DecisionOutcome.Admitted,
            [$"released from quarantine by {actor}{(expires is null ? "" : $" until {expires:u}")}: {justification}", .. quarantined.Reasons.Select(r => $"was quarantined: {r}")],
            actor, justification, expires, at: at);

    /// <summary>The decision recording a denial after review; <paramref name="at"/> as for <see cref="Release"/>.</summary>
    internal static Decision Denial(Decision quarantined, string actor, string justification, DateTimeOffset at = default) =>
        SuccessorDecision.Of(
            quarantined, new ModuleVersion(quarantined.Module, quarantined.Version), DecisionOutcome.Denied,
            [$"denied after review by {actor}: {justification}", .. quarantined.Reasons.Select(r => $"was quarantined: {r}")],
            actor, justification, at: at);
}
