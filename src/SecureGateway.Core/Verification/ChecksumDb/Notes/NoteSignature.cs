namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// One signature line of a note: the key's name and hash, and the base64 text as it appeared
/// (4-byte big-endian key hash ‖ 64-byte Ed25519 signature).
/// </summary>
public sealed record NoteSignature(string Name, uint KeyHash, string Base64);
