namespace SecureGateway.Data.ChecksumDb;

/// <summary>
/// A signed tree head of a checksum database that the gateway verified and now trusts. Rows are only appended:
/// the largest tree (the later row of equal size) after the latest <c>sumdb-head-reset</c> event is the trusted head,
/// and a row is added only when a verified consistency proof shows the new head extends the previous one.
/// </summary>
public sealed class ChecksumDbHead
{
    public long Id { get; init; }

    /// <summary>The checksum database's name, e.g. <c>sum.golang.org</c>.</summary>
    public required string Database { get; init; }

    public long TreeSize { get; init; }

    /// <summary>The tree hash, base64 as in the note.</summary>
    public required string TreeHash { get; init; }

    /// <summary>The whole signed note, kept as evidence.</summary>
    public required string Note { get; init; }

    public DateTimeOffset VerifiedAt { get; init; }

    /// <summary>Position in the audit hash chain, assigned by the database.</summary>
    public long ChainSeq { get; init; }

    /// <summary>Hash of the previous row in the chain (64 zeros for the first), set by the database.</summary>
    public string? PrevHash { get; init; }

    /// <summary>SHA-256 over <see cref="PrevHash"/> and this row's canonical content, set by the database.</summary>
    public string? RowHash { get; init; }
}
