namespace SecureGateway.Data.Access;

/// <summary>A named bearer token (only its SHA-256 is stored) with the roles it grants.</summary>
public sealed class ApiToken
{
    public long Id { get; init; }

    /// <summary>Shown as the actor of what the token does, e.g. <c>alice</c> or <c>ci-builds</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public required string TokenHash { get; init; }

    /// <summary><c>admin</c>, <c>reviewer</c>, <c>auditor</c>, <c>client</c>.</summary>
    public List<string> Roles { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    /// <summary>When <c>token revoke</c> ended the token; null while it is valid.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    public string? RevokedBy { get; init; }

    /// <summary>Position in the audit hash chain, assigned by the database.</summary>
    public long ChainSeq { get; init; }

    /// <summary>Hash of the previous row in the chain (64 zeros for the first), set by the database.</summary>
    public string? PrevHash { get; init; }

    /// <summary>SHA-256 over <see cref="PrevHash"/> and this row's canonical content, set by the database.</summary>
    public string? RowHash { get; init; }
}
