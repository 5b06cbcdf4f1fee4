using System.Buffers;
using System.Globalization;
using System.Text;

namespace SecureGateway.Modules;

/// <summary>
/// Go's <c>%q</c> formatting (strconv.Quote and strconv.QuoteRune), so that our error texts read
/// exactly like the go command's.
/// </summary>
internal static class GoQuote
{
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        for (int i = 0; i < s.Length;)
        {
            if (Rune.DecodeFromUtf16(s.AsSpan(i), out Rune rune, out int used) == OperationStatus.Done)
            {
                AppendRune(sb, rune.Value, '"');
            }
            else
            {
                // A lone surrogate: Go would hold its generalized UTF-8 bytes and print them as \x escapes.
                int c = s[i];
                sb.Append(CultureInfo.InvariantCulture, $@"\x{0xE0 | (c >> 12):x2}\x{0x80 | ((c >> 6) & 0x3F):x2}\x{0x80 | (c & 0x3F):x2}");
                used = 1;
            }
            i += used;
        }
        return sb.Append('"').ToString();
    }

    public static string QuoteRune(int rune) => AppendRune(new StringBuilder("'"), rune, '\'').Append('\'').ToString();

    private static StringBuilder AppendRune(StringBuilder sb, int r, char quote)
    {
        if (r == quote || r == '\\')
        {
            return sb.Append('\\').Append((char)r);
        }
        if (IsPrint(r))
        {
            return sb.Append(char.ConvertFromUtf32(r));
        }
        return r switch
        {
            '\a' => sb.Append(@"\a"),
            '\b' => sb.Append(@"\b"),
            '\f' => sb.Append(@"\f"),
            '\n' => sb.Append(@"\n"),
            '\r' => sb.Append(@"\r"),
            '\t' => sb.Append(@"\t"),
            '\v' => sb.Append(@"\v"),
            < ' ' or 0x7F => sb.Append(CultureInfo.InvariantCulture, $@"\x{r:x2}"),
            < 0x10000 => sb.Append(CultureInfo.InvariantCulture, $@"\u{r:x4}"),
            _ => sb.Append(CultureInfo.InvariantCulture, $@"\U{r:x8}"),
        };
    }

    // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(int r)
    {
        if (r < 0x80)
        {
            return r is >= 0x20 and < 0x7F;
        }
        return Rune.GetUnicodeCategory(new Rune(r)) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }
}
