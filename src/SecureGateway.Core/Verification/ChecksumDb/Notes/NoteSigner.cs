using NSec.Cryptography;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A server's private key for signing notes (Go's note.NewSigner and note.GenerateKey), parsed from a signer key
/// <c>PRIVATE+KEY+name+hhhhhhhh+base64(0x01 ‖ 32-byte Ed25519 seed)</c>. Anyone holding the signer key can sign
/// as the server: keep it secret.
/// </summary>
public sealed class NoteSigner
{
    private const string PrivateKeyPrefix = "PRIVATE+KEY+";

    // The seed, not an NSec Key: a Key is IDisposable and this type is shared freely. Sign imports it per call.
    private readonly byte[] seed;

    private NoteSigner(string name, uint keyHash, byte[] seed, string verifierKey)
    {
        Name = name;
        KeyHash = keyHash;
        this.seed = seed;
        VerifierKey = verifierKey;
    }

    /// <summary>The server name.</summary>
    public string Name { get; }

    /// <summary>The hash of the matching public key (the same as the verifier's <see cref="NoteVerifier.KeyHash"/>).</summary>
    public uint KeyHash { get; }

    /// <summary>The matching verifier key (<c>name+hash+base64(public key)</c>) to hand to whoever checks the signatures.</summary>
    public string VerifierKey { get; }

    /// <summary>Parses a signer key.</summary>
    /// <exception cref="FormatException">With Go's reason (Go's NewSigner reuses the verifier texts):
    /// "malformed verifier id", "invalid verifier hash" (hash does not match the derived public key)
    /// or "unknown verifier algorithm".</exception>
    public static NoteSigner Parse(string signerKey)
    {
        ArgumentNullException.ThrowIfNull(signerKey);
        (string priv1, string rest) = NoteKeys.Chop(signerKey, '+');
        (string priv2, rest) = NoteKeys.Chop(rest, '+');
        (string name, rest) = NoteKeys.Chop(rest, '+');
        (string hash16, string key64) = NoteKeys.Chop(rest, '+');
        if (priv1 != "PRIVATE"
            || priv2 != "KEY"
            || !NoteKeys.TryParseHash(hash16, out uint hash)
            || !NoteKeys.TryDecodeBase64(key64, out byte[] key)
            || !NoteKeys.IsValidName(name)
            || key.Length == 0)
        {
            throw new FormatException(NoteKeys.MalformedId);
        }
        if (key[0] != NoteKeys.AlgEd25519)
        {
            throw new FormatException(NoteKeys.UnknownAlgorithm);
        }
        if (key.Length != 1 + NoteKeys.Ed25519KeySize)
        {
            throw new FormatException(NoteKeys.MalformedId);
        }

        // The hash is of the public key: derive it from the seed before checking.
        byte[] seed = key[1..];
        using Key privateKey = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        byte[] publicKey = EncodePublicKey(privateKey.PublicKey);
        if (hash != NoteKeys.KeyHash(name, publicKey))
        {
            throw new FormatException(NoteKeys.InvalidHash);
        }
        return new NoteSigner(name, hash, seed, $"{name}+{hash16}+{Convert.ToBase64String(publicKey)}");
    }

    /// <summary>
    /// Generates a fresh Ed25519 key pair for server <paramref name="name"/>; returns the signer key (secret) and
    /// the verifier key to hand to clients (for GOSUMDB).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or contains a space or '+' (Go would
    /// produce a key that NewSigner then rejects).</exception>
    public static (string SignerKey, string VerifierKey) GenerateKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NoteKeys.IsValidName(name))
        {
            throw new ArgumentException("invalid key name: must be non-empty, without spaces or '+'", nameof(name));
        }
        var parameters = new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
        using Key key = Key.Create(SignatureAlgorithm.Ed25519, parameters);
        byte[] publicKey = EncodePublicKey(key.PublicKey);
        byte[] privateKey = [NoteKeys.AlgEd25519, .. key.Export(KeyBlobFormat.RawPrivateKey)];
        string hash = NoteKeys.FormatHash(NoteKeys.KeyHash(name, publicKey));
        return (
            $"{PrivateKeyPrefix}{name}+{hash}+{Convert.ToBase64String(privateKey)}",
            $"{name}+{hash}+{Convert.ToBase64String(publicKey)}");
    }

    /// <summary>The bare 64-byte Ed25519 signature of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        using Key key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        return SignatureAlgorithm.Ed25519.Sign(key, message);
    }

    public override string ToString() => $"{Name}+{NoteKeys.FormatHash(KeyHash)}";

    private static byte[] EncodePublicKey(PublicKey publicKey) =>
        [NoteKeys.AlgEd25519, .. publicKey.Export(KeyBlobFormat.RawPublicKey)];
}
