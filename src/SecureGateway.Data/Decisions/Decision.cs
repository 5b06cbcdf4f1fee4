namespace SecureGateway.Data.Decisions;

/// <summary>
/// One admission decision about a module version, recorded before anything is served.
/// Rows are only ever appended: a later act (a review, a re-evaluation) is a new row.
/// </summary>
public sealed class Decision
{
    public long Id { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>Module path, unescaped (e.g. <c>github.com/Azure/go-autorest</c>).</summary>
    public required string Module { get; init; }

    /// <summary>Canonical semantic version.</summary>
    public required string Version { get; init; }

    public DecisionOutcome Outcome { get; init; }

    /// <summary>Why, one line each; the first is what the go user sees first.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>The <c>h1:</c> hash of the zip, as in go.sum; null when the zip could not be hashed.</summary>
    public string? ZipHash { get; init; }

    /// <summary>The <c>h1:</c> hash of the go.mod (go.sum's <c>/go.mod</c> line).</summary>
    public string? GoModHash { get; init; }

    public long? ZipSize { get; init; }

    public long? GoModSize { get; init; }

    public int? FileCount { get; init; }

    /// <summary>Base URL of the upstream the artefacts came from.</summary>
    public string? Upstream { get; init; }

    /// <summary>The checksum database the hashes were verified against; null when it was not consulted.</summary>
    public string? ChecksumDb { get; init; }

    /// <summary>Size of the signed tree the record was proven to be included in.</summary>
    public long? ChecksumDbTreeSize { get; init; }

    /// <summary>Hash of that tree (base64), as in its signed note.</summary>
    public string? ChecksumDbTreeHash { get; init; }

    /// <summary>The record's id in the checksum database's log.</summary>
    public long? ChecksumDbRecordId { get; init; }

    /// <summary>Revision (hash of the files) of the policy bundle that decided; null when no policy ran.</summary>
    public string? PolicyRevision { get; init; }

    /// <summary>The facts the policies saw, as JSON, so the decision can be replayed (jsonb).</summary>
    public string? Facts { get; init; }

    /// <summary>Every rule's result, as JSON (jsonb).</summary>
    public string? RuleResults { get; init; }

    /// <summary>A reviewer's reason for the decision (releases and denials from quarantine).</summary>
    public string? Justification { get; init; }

    /// <summary>When a reviewer's release lapses (a waiver): the version is then re-evaluated. Null for no expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>
    /// From this time on the decision is provisional: the next request for the version decides it afresh. Set on
    /// refusals caused by the bytes an upstream served (after a cool-down, so an upstream cannot poison a version for
    /// ever) and by a reviewer's reconsideration (at once). Null: the decision stands until a later act.
    /// </summary>
    public DateTimeOffset? RedecideAfter { get; init; }

    /// <summary>Position in the audit hash chain, assigned by the database.</summary>
    public long ChainSeq { get; init; }

    /// <summary>Hash of the previous row in the chain (64 zeros for the first), set by the database.</summary>
    public string? PrevHash { get; init; }

    /// <summary>SHA-256 over <see cref="PrevHash"/> and this row's canonical content, set by the database.</summary>
    public string? RowHash { get; init; }

    /// <summary>Who decided: <c>gateway</c> for automatic admission, else the reviewer.</summary>
    public required string Actor { get; init; }
}
