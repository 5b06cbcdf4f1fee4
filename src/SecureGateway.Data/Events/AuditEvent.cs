namespace SecureGateway.Data.Events;

/// <summary>Something the audit trail must show besides decisions: a checksum-DB fork, an operator's reset. Append-only.</summary>
public sealed class AuditEvent
{
    public long Id { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>What happened, e.g. <see cref="AuditEventKinds.ChecksumDbFork"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Who: <c>gateway</c> for what the gateway detected, else the operator.</summary>
    public required string Actor { get; init; }

    /// <summary>The subject, e.g. the checksum database's name.</summary>
    public required string Subject { get; init; }

    /// <summary>One line for people.</summary>
    public required string Summary { get; init; }

    /// <summary>Evidence, verbatim (for a fork: the trusted and the conflicting signed notes).</summary>
    public string? Evidence { get; init; }

    /// <summary>Position in the audit hash chain, assigned by the database.</summary>
    public long ChainSeq { get; init; }

    /// <summary>Hash of the previous event in the chain, set by the database.</summary>
    public string? PrevHash { get; init; }

    /// <summary>SHA-256 over <see cref="PrevHash"/> and this row's canonical content, set by the database.</summary>
    public string? RowHash { get; init; }
}

public static class AuditEventKinds
{
    /// <summary>The checksum database showed a head inconsistent with the trusted one (a split view or rollback).</summary>
    public const string ChecksumDbFork = "sumdb-fork";

    /// <summary>An operator discarded the trusted head; the next verified head is trusted afresh.</summary>
    public const string ChecksumDbHeadReset = "sumdb-head-reset";

    /// <summary>A policy bundle compiled, passed its tests and became live.</summary>
    public const string PolicyBundleLoaded = "policy-bundle-loaded";

    /// <summary>A policy bundle did not compile or failed its tests; the previous one stayed live.</summary>
    public const string PolicyBundleRefused = "policy-bundle-refused";

    /// <summary>An API token was created.</summary>
    public const string TokenCreated = "token-created";

    /// <summary>An API token was revoked.</summary>
    public const string TokenRevoked = "token-revoked";

    /// <summary>The live policies were run again over admitted versions.</summary>
    public const string ReevaluationRun = "reevaluation-run";

    /// <summary>A reviewer revoked a module's versions by range; versions in it first seen later are refused too.</summary>
    public const string RevokeRange = "revoke-range";

    /// <summary>An admitted version's files were fetched again and did not hash to the admitted values; they were not served.</summary>
    public const string ChecksumAlarm = "checksum-alarm";

    /// <summary>Storage was checked against the current decisions (at start, or by doctor), with what was found and done.</summary>
    public const string StorageRepair = "storage-repair";
}
