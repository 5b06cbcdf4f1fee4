using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Audit;

/// <summary>
/// The one way to build a decision that follows another about the same version (a release, a denial after review, a
/// revocation, a reconsideration, a re-evaluation): the earlier decision's evidence — hashes, sizes, upstream,
/// checksum-DB proof, policy run — is carried forward, so every row stands on its own in the audit trail.
/// </summary>
public static class SuccessorDecision
{
    /// <param name="previous">The version's current decision; null when it was never decided (a pre-emptive revocation).</param>
    /// <param name="policyRun">A new policy run's revision, facts and rule results (re-evaluation); else the previous one's.</param>
    /// <param name="at">Left default, the database's clock dates the row.</param>
    public static Decision Of(
        Decision? previous,
        ModuleVersion module,
        DecisionOutcome outcome,
        IReadOnlyList<string> reasons,
        string actor,
        string? justification = null,
        DateTimeOffset? expires = null,
        DateTimeOffset? redecideAfter = null,
        (string Revision, string Facts, string RuleResults)? policyRun = null,
        DateTimeOffset at = default) => new()
    {
        Time = at,
        Module = module.Path,
        Version = module.Version,
        Outcome = outcome,
        Reasons = reasons,
        ZipHash = previous?.ZipHash,
        GoModHash = previous?.GoModHash,
        ZipSize = previous?.ZipSize,
        GoModSize = previous?.GoModSize,
        FileCount = previous?.FileCount,
        Upstream = previous?.Upstream,
        ChecksumDb = previous?.ChecksumDb,
        ChecksumDbTreeSize = previous?.ChecksumDbTreeSize,
        ChecksumDbTreeHash = previous?.ChecksumDbTreeHash,
        ChecksumDbRecordId = previous?.ChecksumDbRecordId,
        PolicyRevision = policyRun?.Revision ?? previous?.PolicyRevision,
        Facts = policyRun?.Facts ?? previous?.Facts,
        RuleResults = policyRun?.RuleResults ?? previous?.RuleResults,
        Justification = justification,
        ExpiresAt = expires,
        RedecideAfter = redecideAfter,
        Actor = actor,
    };
}
