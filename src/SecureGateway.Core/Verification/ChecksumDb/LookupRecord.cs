using System.Buffers;
using System.Globalization;
using System.Text;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A checksum database's answer to <c>/lookup/M@V</c>: <c>{id}\n{record text}\n</c> followed by the signed tree note
/// (Go's <c>tlog.ParseRecord</c>). The record text is the module's go.sum lines.
/// </summary>
public sealed record LookupRecord(long Id, byte[] Text, byte[] SignedNote)
{
    /// <summary>ASCII control characters other than newline, which record text must not contain.</summary>
    private static readonly SearchValues<byte> ControlCharacters =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Where(b => b != '\n').Select(b => (byte)b), 0x7F]);

    /// <summary>Throws <see cref="FormatException"/> ("malformed record data") as Go does for anything else.</summary>
    public static LookupRecord Parse(ReadOnlySpan<byte> response)
    {
        var newline = response.IndexOf((byte)'\n');
        if (newline <= 0
            || !long.TryParse(response[..newline], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || response[0] == (byte)'0' && newline > 1)
        {
            throw new FormatException("malformed record data: bad record id");
        }

        var afterId = response[(newline + 1)..];
        var end = afterId.IndexOf("\n\n"u8);
        if (end < 0)
        {
            throw new FormatException("malformed record data: missing blank line after the record");
        }

        var text = afterId[..(end + 1)];
        if (!System.Text.Unicode.Utf8.IsValid(text) || text.ContainsAny(ControlCharacters))
        {
            throw new FormatException("malformed record data: not printable UTF-8 text");
        }

        return new(id, text.ToArray(), afterId[(end + 2)..].ToArray());
    }

    /// <summary>The <c>h1:</c> hash the record gives for the zip (<c>/go.mod</c> false) or the go.mod of <paramref name="module"/>@<paramref name="version"/>.</summary>
    public string? HashFor(string module, string version, bool goMod)
    {
        var prefix = $"{module} {version}{(goMod ? "/go.mod" : "")} ";
        foreach (var line in Encoding.UTF8.GetString(Text).Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }

        return null;
    }
}
