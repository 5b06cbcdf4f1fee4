using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A server's public key for checking note signatures (Go's note.NewVerifier), parsed from a verifier key
/// <c>name+hhhhhhhh+base64(0x01 ‖ 32-byte Ed25519 public key)</c>, e.g. sum.golang.org's key in
/// <see cref="SumDbSettings.GoSumDbKey"/>. The base64 part may itself contain '+'.
/// </summary>
public sealed class NoteVerifier
{
    private readonly PublicKey publicKey;

    // A checksum DB signs each tree head once, and every lookup until the tree grows carries that same signed head
    // (as does the trusted head re-read from the audit database): the last pair that verified is remembered, byte for
    // byte, so it is not verified again.
    private volatile VerifiedPair? lastVerified;

    private NoteVerifier(string name, uint keyHash, string keyText, PublicKey publicKey)
    {
        Name = name;
        KeyHash = keyHash;
        KeyText = keyText;
        this.publicKey = publicKey;
    }

    /// <summary>The server name, canonically the database's host[/path].</summary>
    public string Name { get; }

    /// <summary>The key hash: first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ key).</summary>
    public uint KeyHash { get; }

    /// <summary>The verifier key exactly as given to <see cref="Parse"/>.</summary>
    public string KeyText { get; }

    /// <summary>Parses a verifier key.</summary>
    /// <exception cref="FormatException">With Go's reason: "malformed verifier id", "invalid verifier hash"
    /// or "unknown verifier algorithm".</exception>
    public static NoteVerifier Parse(string verifierKey) =>
        TryParse(verifierKey, out NoteVerifier? verifier, out string error) ? verifier : throw new FormatException(error);

    /// <summary>Parses a verifier key; on failure <paramref name="error"/> holds Go's reason and the result is false.</summary>
    public static bool TryParse(string verifierKey, [NotNullWhen(true)] out NoteVerifier? verifier, out string error)
    {
        ArgumentNullException.ThrowIfNull(verifierKey);
        verifier = null;

        // Split into at most three parts: the base64 of sum.golang.org's key contains '+'.
        (string name, string rest) = NoteKeys.Chop(verifierKey, '+');
        (string hash16, string key64) = NoteKeys.Chop(rest, '+');
        if (!NoteKeys.TryParseHash(hash16, out uint hash)
            || !NoteKeys.TryDecodeBase64(key64, out byte[] key)
            || !NoteKeys.IsValidName(name)
            || key.Length == 0)
        {
            error = NoteKeys.MalformedId;
            return false;
        }
        if (hash != NoteKeys.KeyHash(name, key))
        {
            error = NoteKeys.InvalidHash;
            return false;
        }
        if (key[0] != NoteKeys.AlgEd25519)
        {
            error = NoteKeys.UnknownAlgorithm;
            return false;
        }
        if (key.Length != 1 + NoteKeys.Ed25519KeySize
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, key.AsSpan(1), KeyBlobFormat.RawPublicKey, out PublicKey? publicKey)
            || publicKey is null)
        {
            error = NoteKeys.MalformedId;
            return false;
        }

        verifier = new NoteVerifier(name, hash, verifierKey, publicKey);
        error = "";
        return true;
    }

    /// <summary>Whether <paramref name="signature"/> is this key's Ed25519 signature of <paramref name="message"/>
    /// (the bare 64-byte signature, without the 4-byte key hash a note line carries).</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != NoteKeys.Ed25519SignatureSize)
        {
            return false;
        }

        if (lastVerified is { } last && last.Signature.AsSpan().SequenceEqual(signature) && last.Message.AsSpan().SequenceEqual(message))
        {
            return true;
        }

        if (!SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature))
        {
            return false;
        }

        lastVerified = new VerifiedPair(message.ToArray(), signature.ToArray());
        return true;
    }

    public override string ToString() => KeyText;

    private sealed record VerifiedPair(byte[] Message, byte[] Signature);
}
