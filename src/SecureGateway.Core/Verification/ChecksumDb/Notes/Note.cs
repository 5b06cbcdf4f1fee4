namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// An opened note: its text (ending in "\n", without the blank line and signatures), the signatures verified by a
/// known key, and those from keys the caller does not know (kept, not trusted).
/// </summary>
public sealed record Note(string Text, IReadOnlyList<NoteSignature> Signatures, IReadOnlyList<NoteSignature> UnverifiedSignatures);
