using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>The pieces of golang.org/x/mod/sumdb/note's key encoding that verifier, signer and notes share.</summary>
internal static class NoteKeys
{
    /// <summary>Algorithm byte that starts an encoded key; Ed25519 is the only one Go defines.</summary>
    public const byte AlgEd25519 = 1;

    public const int Ed25519KeySize = 32;
    public const int Ed25519SignatureSize = 64;

    // Go's error texts (errVerifierID, errVerifierAlg, errVerifierHash); NewSigner reuses the same three.
    public const string MalformedId = "malformed verifier id";
    public const string UnknownAlgorithm = "unknown verifier algorithm";
    public const string InvalidHash = "invalid verifier hash";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>First four bytes, big-endian, of SHA-256(name ‖ "\n" ‖ encoded key), the encoded key being alg ‖ public key.</summary>
    public static uint KeyHash(string name, ReadOnlySpan<byte> encodedKey)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] input = new byte[nameBytes.Length + 1 + encodedKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = (byte)'\n';
        encodedKey.CopyTo(input.AsSpan(nameBytes.Length + 1));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>
    /// Go's isValidName: non-empty, valid Unicode (no unpaired surrogate), no Unicode space, no '+'.
    /// <see cref="char.IsWhiteSpace(char)"/> and Go's unicode.IsSpace cover the same code points.
    /// </summary>
    public static bool IsValidName(string name)
    {
        if (name.Length == 0 || name.Contains('+', StringComparison.Ordinal))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (char.IsWhiteSpace(c))
            {
                return false;
            }
        }
        return IsWellFormed(name);
    }

    /// <summary>Whether <paramref name="text"/> has UTF-8 bytes, i.e. no unpaired surrogate.</summary>
    public static bool IsWellFormed(string text)
    {
        try
        {
            _ = StrictUtf8.GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>The 8-hex-digit key hash of a key string (Go: len 8 and strconv.ParseUint(s, 16, 32)).</summary>
    public static bool TryParseHash(string hex, out uint hash)
    {
        hash = 0;
        return hex.Length == 8
            && hex.All(char.IsAsciiHexDigit)
            && uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out hash);
    }

    public static string FormatHash(uint hash) => hash.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>
    /// Go's base64.StdEncoding.DecodeString: padded standard alphabet; '\r' and '\n' are skipped, any other
    /// character (spaces included, which .NET would skip) is an error. "" decodes to no bytes.
    /// </summary>
    public static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        bytes = [];
        var filtered = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is '\r' or '\n')
            {
                continue;
            }
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '='))
            {
                return false;
            }
            filtered.Append(c);
        }
        if (filtered.Length % 4 != 0)
        {
            return false;
        }
        byte[] buffer = new byte[filtered.Length / 4 * 3];
        if (!Convert.TryFromBase64String(filtered.ToString(), buffer, out int written))
        {
            return false;
        }
        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    /// <summary>Go's chop: the text before and after the first <paramref name="separator"/>; no separator → (s, "").</summary>
    public static (string Before, string After) Chop(string s, char separator)
    {
        int i = s.IndexOf(separator, StringComparison.Ordinal);
        return i < 0 ? (s, "") : (s[..i], s[(i + 1)..]);
    }
}
