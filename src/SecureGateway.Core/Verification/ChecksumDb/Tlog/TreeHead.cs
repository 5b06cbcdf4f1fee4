using System.Globalization;
using System.Text;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A tree description signed by a checksum database: its size and root hash (Go's <c>tlog.Tree</c>, with
/// <c>FormatTree</c> and <c>ParseTree</c>).
/// </summary>
public sealed record TreeHead(long N, TlogHash Hash)
{
    private const string Malformed = "malformed tree note";
    private const int MaxTextLength = 1_000_000;

    private static ReadOnlySpan<byte> Prefix => "go.sum database tree\n"u8;

    /// <summary>The note text: <c>go.sum database tree\n{N}\n{base64 hash}\n</c>.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture, $"go.sum database tree\n{N}\n{Hash}\n");

    /// <summary>
    /// Parses the text of a tree note as Go's <c>ParseTree</c>: the header line, N in canonical decimal (no sign, no
    /// leading zeros), the base64 hash; lines after the hash are ignored; at most 1e6 bytes.
    /// </summary>
    /// <exception cref="FormatException">"malformed tree note" for anything else.</exception>
    public static TreeHead Parse(ReadOnlySpan<byte> text)
    {
        if (!text.StartsWith(Prefix) || text.Count((byte)'\n') < 3 || text.Length > MaxTextLength)
        {
            throw new FormatException(Malformed);
        }
        ReadOnlySpan<byte> rest = text[Prefix.Length..];
        int end = rest.IndexOf((byte)'\n');
        ReadOnlySpan<byte> size = rest[..end];
        rest = rest[(end + 1)..];
        ReadOnlySpan<byte> hash = rest[..rest.IndexOf((byte)'\n')];

        // Digits only, and canonical: Go compares the line with FormatInt of its value.
        if (!long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long n)
            || (size.Length > 1 && size[0] == (byte)'0'))
        {
            throw new FormatException(Malformed);
        }
        // Byte-per-char keeps any non-ASCII byte outside the base64 alphabet, so it is refused as in Go.
        if (!TlogHash.TryParse(Encoding.Latin1.GetString(hash).AsSpan(), out TlogHash h))
        {
            throw new FormatException(Malformed);
        }
        return new TreeHead(n, h);
    }
}
