using System.Text;

namespace SecureGateway.Modules;

/// <summary>
/// The element grammar shared by module, import and file paths (Go's module.checkPath and checkElem).
/// Errors are Go's texts without the "malformed ... path" prefix, which the caller adds.
/// </summary>
internal static class PathRules
{
    // Reserved device names on Windows; Go compares them case-insensitively against the part before the first dot.
    private static readonly string[] BadWindowsNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    private const string FileNamePunctuation = "!#$%&()+,-.=@[]^_{}~ ";

    public static string? CheckPath(string path, PathKind kind)
    {
        // A .NET string has no invalid UTF-8, but an unpaired surrogate is its equivalent: it has no UTF-8 form.
        if (!IsWellFormedUtf16(path))
        {
            return "invalid UTF-8";
        }
        if (path.Length == 0)
        {
            return "empty string";
        }
        if (path[0] == '-' && kind != PathKind.File)
        {
            return "leading dash";
        }
        if (path.Contains("//", StringComparison.Ordinal))
        {
            return "double slash";
        }
        if (path[^1] == '/')
        {
            return "trailing slash";
        }
        foreach (string element in path.Split('/'))
        {
            if (CheckElement(element, kind) is { } error)
            {
                return error;
            }
        }
        return null;
    }

    public static string? CheckElement(string element, PathKind kind)
    {
        if (element.Length == 0)
        {
            return "empty path element";
        }
        if (element.AsSpan().IndexOfAnyExcept('.') < 0)
        {
            return $"invalid path element {GoQuote.Quote(element)}";
        }
        if (element[0] == '.' && kind == PathKind.Module)
        {
            return "leading dot in path element";
        }
        if (element[^1] == '.')
        {
            return "trailing dot in path element";
        }
        foreach (Rune rune in element.EnumerateRunes())
        {
            if (!IsAllowed(rune, kind))
            {
                return $"invalid char {GoQuote.QuoteRune(rune.Value)}";
            }
        }

        int dot = element.IndexOf('.', StringComparison.Ordinal);
        string shortName = dot < 0 ? element : element[..dot];
        // The reserved names are ASCII without k or s, so Go's Unicode EqualFold equals an ASCII comparison here.
        if (BadWindowsNames.Any(bad => Ascii.EqualsIgnoreCase(bad, shortName)))
        {
            return $"{GoQuote.Quote(shortName)} disallowed as path element component on Windows";
        }

        // Windows short names (PROGRA~1) only matter for import and module paths.
        int tilde = shortName.LastIndexOf('~');
        if (kind != PathKind.File && tilde >= 0 && tilde < shortName.Length - 1
            && shortName.AsSpan(tilde + 1).IndexOfAnyExceptInRange('0', '9') < 0)
        {
            return "trailing tilde and digits in path element";
        }
        return null;
    }

    private static bool IsWellFormedUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAllowed(Rune rune, PathKind kind)
    {
        if (!rune.IsAscii)
        {
            return kind == PathKind.File && Rune.IsLetter(rune);
        }
        char c = (char)rune.Value;
        if (char.IsAsciiLetterOrDigit(c))
        {
            return true;
        }
        return kind switch
        {
            PathKind.Module => c is '-' or '.' or '_' or '~',
            PathKind.Import => c is '-' or '.' or '_' or '~' or '+',
            _ => FileNamePunctuation.Contains(c, StringComparison.Ordinal),
        };
    }
}
