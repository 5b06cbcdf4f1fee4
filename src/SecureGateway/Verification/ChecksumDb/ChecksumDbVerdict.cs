namespace SecureGateway.Verification.ChecksumDb;

public enum ChecksumDbOutcome
{
    /// <summary>The record is proven to be in a signed tree consistent with the trusted head, and its hashes match.</summary>
    Verified,

    /// <summary>The checksum database was not consulted: it is off, or the module matches a private pattern.</summary>
    Skipped,

    /// <summary>The checksum database's answer refutes the module (hash mismatch, bad signature, unproven record): deny.</summary>
    Refuted,

    /// <summary>The checksum database could not be asked, or answered garbage: retry later, decide nothing.</summary>
    Unavailable,

    /// <summary>The checksum database showed a history inconsistent with the trusted head: admissions stop.</summary>
    Forked,
}

/// <summary>What the checksum database says about one module version; <see cref="Reason"/> is in the go user's words.</summary>
public sealed record ChecksumDbVerdict(ChecksumDbOutcome Outcome, string Reason, string? Database = null, TreeHead? Tree = null, long? RecordId = null);

/// <summary>
/// The checksum database's answer before the fetched files are compared with it: a final <see cref="Verdict"/> (skipped,
/// unavailable, forked, refuted), or the <see cref="Record"/> proven included in <see cref="Tree"/>.
/// </summary>
public sealed record ChecksumDbLookup(ChecksumDbVerdict? Verdict, TreeHead? Tree = null, LookupRecord? Record = null);
