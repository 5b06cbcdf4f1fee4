using SecureGateway.Audit;
using SecureGateway.Modules;

namespace SecureGateway.Review;

/// <summary>
/// A reviewer asks for a version to be decided afresh: recorded as a provisional copy of its current decision, so the
/// next request runs admission again with today's policies, facts and upstream bytes (and records that decision).
/// </summary>
public sealed class Reconsideration(ReviewLog log, TimeProvider time)
{
    public async Task<ReviewResult> ReconsiderAsync(ModuleVersion module, string actor, string? justification, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(justification))
        {
            return new(ReviewStatus.Invalid, "a justification is required");
        }

        await using var held = await log.LockAsync(module, cancellationToken);
        var latest = await log.LatestAsync(module, cancellationToken);
        if (latest is null)
        {
            return new(ReviewStatus.NotFound, $"{module} has never been decided by this gateway; its first request decides it");
        }

        var outcome = latest.Outcome.ToString().ToLowerInvariant();
        var reconsidered = await log.RecordAsync(SuccessorDecision.Of(
            latest, module, latest.Outcome,
            [$"reconsideration requested by {actor}: {justification}; decided afresh on the next request", $"was {outcome} (decision {latest.Id})"],
            actor, justification, redecideAfter: time.GetUtcNow()), cancellationToken);
        return new(ReviewStatus.Done, $"{module} will be decided afresh on its next request (decision {reconsidered.Id})", reconsidered);
    }
}
