using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;
using SecureGateway.Storage;

namespace SecureGateway.Admission;

public enum ReviewStatus
{
    /// <summary>The act was recorded (and, for a release, the version moved into the cache).</summary>
    Done,

    /// <summary>The request is incomplete (no justification, a bad expiry).</summary>
    Invalid,

    /// <summary>The gateway has never decided about this version.</summary>
    NotFound,

    /// <summary>The version is not in quarantine (its latest decision is something else), or its files are gone.</summary>
    Conflict,
}

public sealed record ReviewResult(ReviewStatus Status, string Message, Decision? Decision = null);

/// <summary>
/// A reviewer's acts on quarantined versions: release (optionally as a waiver that lapses) or final denial.
/// Each act is a decision with the reviewer as actor and their justification, recorded before the files move.
/// </summary>
public sealed class QuarantineReview(DecisionLog decisions, GatewayStorage storage, TimeProvider time)
{
    public async Task<ReviewResult> ReleaseAsync(ModuleVersion module, string actor, string? justification, DateTimeOffset? expires, CancellationToken cancellationToken)
    {
        if (expires is { } expiry && expiry <= time.GetUtcNow())
        {
            return new(ReviewStatus.Invalid, $"expires {expiry:u} is not in the future");
        }

        var (quarantined, refusal) = await QuarantinedAsync(module, justification, cancellationToken);
        if (quarantined is null)
        {
            return refusal!;
        }

        if (!storage.Quarantine.Contains(module))
        {
            return new(ReviewStatus.Conflict, $"{module} is quarantined (decision {quarantined.Id}) but its files are no longer held; it cannot be released");
        }

        var released = await decisions.RecordAsync(Release(quarantined, actor, justification!, expires), cancellationToken);
        storage.Quarantine.MoveTo(module, storage.Cache);
        return new(ReviewStatus.Done, $"released {module} (decision {released.Id})", released);
    }

    public async Task<ReviewResult> DenyAsync(ModuleVersion module, string actor, string? justification, CancellationToken cancellationToken)
    {
        var (quarantined, refusal) = await QuarantinedAsync(module, justification, cancellationToken);
        if (quarantined is null)
        {
            return refusal!;
        }

        var denied = await decisions.RecordAsync(Denial(quarantined, actor, justification!), cancellationToken);
        storage.Quarantine.Delete(module);
        return new(ReviewStatus.Done, $"denied {module} (decision {denied.Id})", denied);
    }

    private async Task<(Decision? Quarantined, ReviewResult? Refusal)> QuarantinedAsync(ModuleVersion module, string? justification, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(justification))
        {
            return (null, new(ReviewStatus.Invalid, "a justification is required"));
        }

        var latest = await decisions.LatestAsync(module.Path, module.Version, cancellationToken);
        return latest switch
        {
            null => (null, new(ReviewStatus.NotFound, $"{module} has never been decided by this gateway")),
            { Outcome: not DecisionOutcome.Quarantined } => (null, new(ReviewStatus.Conflict,
                $"{module} is not in quarantine: its latest decision {latest.Id} is {latest.Outcome.ToString().ToLowerInvariant()}")),
            _ => (latest, null),
        };
    }

    /// <summary>The decision recording a release; <paramref name="at"/> left default, the database's clock dates it.</summary>
    internal static Decision Release(Decision quarantined, string actor, string justification, DateTimeOffset? expires, DateTimeOffset at = default) =>
        Review(quarantined, DecisionOutcome.Admitted, actor, justification, expires,
            $"released from quarantine by {actor}{(expires is null ? "" : $" until {expires:u}")}: {justification}", at);

    /// <summary>The decision recording a denial after review; <paramref name="at"/> as for <see cref="Release"/>.</summary>
    internal static Decision Denial(Decision quarantined, string actor, string justification, DateTimeOffset at = default) =>
        Review(quarantined, DecisionOutcome.Denied, actor, justification, null, $"denied after review by {actor}: {justification}", at);

    /// <summary>The reviewer's decision carries the quarantined one's evidence forward, so the new row stands on its own.</summary>
    private static Decision Review(
        Decision quarantined, DecisionOutcome outcome, string actor, string justification, DateTimeOffset? expires, string reason, DateTimeOffset at) => new()
    {
        Time = at,
        Module = quarantined.Module,
        Version = quarantined.Version,
        Outcome = outcome,
        Reasons = [reason, .. quarantined.Reasons.Select(r => $"was quarantined: {r}")],
        ZipHash = quarantined.ZipHash,
        GoModHash = quarantined.GoModHash,
        ZipSize = quarantined.ZipSize,
        GoModSize = quarantined.GoModSize,
        FileCount = quarantined.FileCount,
        Upstream = quarantined.Upstream,
        ChecksumDb = quarantined.ChecksumDb,
        ChecksumDbTreeSize = quarantined.ChecksumDbTreeSize,
        ChecksumDbTreeHash = quarantined.ChecksumDbTreeHash,
        ChecksumDbRecordId = quarantined.ChecksumDbRecordId,
        PolicyRevision = quarantined.PolicyRevision,
        Facts = quarantined.Facts,
        RuleResults = quarantined.RuleResults,
        Justification = justification,
        ExpiresAt = expires,
        Actor = actor,
    };
}
