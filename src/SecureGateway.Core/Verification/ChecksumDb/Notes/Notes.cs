using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// Signed notes as the Go checksum database writes them (golang.org/x/mod/sumdb/note): UTF-8 text ending in "\n",
/// a blank line, then one line per signature, <c>— name base64(keyhash ‖ signature)\n</c>, the signature being over
/// the text (final "\n" included, blank line not).
/// </summary>
public static class Notes
{
    /// <summary>The largest signed tree note the gateway's client accepts; larger ones fail with
    /// <see cref="NoteFailure.TooLarge"/> before parsing.</summary>
    public const int MaxNoteSize = 1_000_000;

    /// <summary>More signature lines than this make the note malformed (Go: avoid spending forever parsing).</summary>
    private const int MaxSignatures = 100;

    // "— " : U+2014 EM DASH, space.
    private static ReadOnlySpan<byte> SignaturePrefix => "\u2014 "u8;

    /// <summary>
    /// Parses <paramref name="message"/> and checks its signatures against <paramref name="knownVerifiers"/>, with
    /// Go's note.Open semantics: a signature whose (name, key hash) is unknown is kept as unverified; a known key's
    /// signature must verify or the whole note fails; repeated signatures are dropped; at least one must verify.
    /// </summary>
    /// <exception cref="NoteException">The note is too large, malformed, has an invalid signature by a known key,
    /// matches an ambiguous key, or has no verified signature.</exception>
    public static Note Open(ReadOnlySpan<byte> message, IReadOnlyList<NoteVerifier> knownVerifiers)
    {
        ArgumentNullException.ThrowIfNull(knownVerifiers);
        if (message.Length > MaxNoteSize)
        {
            throw new NoteException(NoteFailure.TooLarge, "note too large");
        }

        // Valid UTF-8 and no ASCII control character but '\n' (bytes of multi-byte sequences are all >= 0x80).
        if (!Utf8.IsValid(message) || message.ContainsAnyInRange((byte)0, (byte)0x09) || message.ContainsAnyInRange((byte)0x0B, (byte)0x1F))
        {
            throw NoteException.Malformed();
        }

        // The signature block follows the last blank line and ends in '\n'.
        int split = message.LastIndexOf("\n\n"u8);
        if (split < 0)
        {
            throw NoteException.Malformed();
        }
        ReadOnlySpan<byte> text = message[..(split + 1)];
        ReadOnlySpan<byte> signatures = message[(split + 2)..];
        if (signatures.IsEmpty || signatures[^1] != (byte)'\n')
        {
            throw NoteException.Malformed();
        }

        var verifiers = knownVerifiers.ToLookup(v => (v.Name, v.KeyHash));
        var verified = new List<NoteSignature>();
        var unverified = new List<NoteSignature>();
        var seen = new HashSet<(string, uint)>();
        var seenUnverified = new HashSet<string>(StringComparer.Ordinal);
        int count = 0;
        while (!signatures.IsEmpty)
        {
            int end = signatures.IndexOf((byte)'\n');
            ReadOnlySpan<byte> lineBytes = signatures[..end];
            signatures = signatures[(end + 1)..];

            if (!lineBytes.StartsWith(SignaturePrefix))
            {
                throw NoteException.Malformed();
            }
            string line = Encoding.UTF8.GetString(lineBytes[SignaturePrefix.Length..]);
            (string name, string base64) = NoteKeys.Chop(line, ' ');
            if (!NoteKeys.TryDecodeBase64(base64, out byte[] signature)
                || !NoteKeys.IsValidName(name)
                || base64.Length == 0
                || signature.Length < 5)
            {
                throw NoteException.Malformed();
            }
            uint hash = BinaryPrimitives.ReadUInt32BigEndian(signature);
            if (++count > MaxSignatures)
            {
                throw NoteException.Malformed();
            }

            NoteVerifier[] matches = [.. verifiers[(name, hash)]];
            if (matches.Length == 0)
            {
                // Unknown key: keep the signature, once per identical line.
                if (seenUnverified.Add(line))
                {
                    unverified.Add(new NoteSignature(name, hash, base64));
                }
                continue;
            }
            if (matches.Length > 1)
            {
                throw new NoteException(NoteFailure.AmbiguousKey, $"ambiguous key {name}+{NoteKeys.FormatHash(hash)}");
            }
            if (!seen.Add((name, hash)))
            {
                continue; // Only a key's first signature counts.
            }
            if (!matches[0].Verify(text, signature.AsSpan(4)))
            {
                throw new NoteException(NoteFailure.InvalidSignature, $"invalid signature for key {name}+{NoteKeys.FormatHash(hash)}");
            }
            verified.Add(new NoteSignature(name, hash, base64));
        }

        if (verified.Count == 0)
        {
            throw new NoteException(NoteFailure.Unverified, "note has no verifiable signatures");
        }
        return new Note(Encoding.UTF8.GetString(text), verified, unverified);
    }

    /// <summary>
    /// Signs <paramref name="text"/> with each signer, in order (Go's note.Sign on a note without signatures).
    /// </summary>
    /// <exception cref="NoteException">Malformed: the text does not end in "\n", contains a control character other
    /// than "\n" or an unpaired surrogate (Go only checks the final "\n", but such a note could not be opened).</exception>
    public static byte[] Sign(string text, params NoteSigner[] signers) =>
        Sign(new Note(text, [], []), signers);

    /// <summary>
    /// Go's note.Sign: the note's text, a blank line, its existing signatures (verified then unverified) except those
    /// by a key among <paramref name="signers"/>, then the new signatures in order. Use it to add a signature
    /// (cosign) to an opened note.
    /// </summary>
    /// <exception cref="NoteException">Malformed: as for <see cref="Sign(string, NoteSigner[])"/>, or an existing
    /// signature has an invalid name, bad base64 or a key hash different from its first four bytes.</exception>
    public static byte[] Sign(Note note, params NoteSigner[] signers)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(signers);
        string text = note.Text;
        if (!text.EndsWith('\n') || text.Any(c => c < 0x20 && c != '\n') || !NoteKeys.IsWellFormed(text))
        {
            throw NoteException.Malformed();
        }
        byte[] textBytes = Encoding.UTF8.GetBytes(text);

        var output = new StringBuilder(text).Append('\n');
        var replaced = new HashSet<(string, uint)>(signers.Select(s => (s.Name, s.KeyHash)));
        foreach (NoteSignature existing in note.Signatures.Concat(note.UnverifiedSignatures))
        {
            if (!NoteKeys.IsValidName(existing.Name))
            {
                throw NoteException.Malformed();
            }
            if (replaced.Contains((existing.Name, existing.KeyHash)))
            {
                continue;
            }
            if (!NoteKeys.TryDecodeBase64(existing.Base64, out byte[] raw)
                || raw.Length < 4
                || BinaryPrimitives.ReadUInt32BigEndian(raw) != existing.KeyHash)
            {
                throw NoteException.Malformed();
            }
            AppendSignatureLine(output, existing.Name, existing.Base64);
        }
        foreach (NoteSigner signer in signers)
        {
            byte[] signature = new byte[4 + NoteKeys.Ed25519SignatureSize];
            BinaryPrimitives.WriteUInt32BigEndian(signature, signer.KeyHash);
            signer.Sign(textBytes).CopyTo(signature, 4);
            AppendSignatureLine(output, signer.Name, Convert.ToBase64String(signature));
        }
        return Encoding.UTF8.GetBytes(output.ToString());
    }

    private static void AppendSignatureLine(StringBuilder output, string name, string base64) =>
        output.Append("\u2014 ").Append(name).Append(' ').Append(base64).Append('\n');
}
