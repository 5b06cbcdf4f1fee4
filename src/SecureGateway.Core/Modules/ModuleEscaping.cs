using System.Text;

namespace SecureGateway.Modules;

/// <summary>
/// The case escaping of module paths and versions in proxy URLs and cache file names
/// (module.EscapePath, UnescapePath, EscapeVersion, UnescapeVersion): every upper-case ASCII letter
/// becomes <c>!</c> plus its lower-case form, so no two paths differ only in case.
/// </summary>
public static class ModuleEscaping
{
    /// <summary>Escapes a module path, e.g. <c>github.com/Azure/x</c> → <c>github.com/!azure/x</c>.</summary>
    /// <exception cref="ArgumentException">The path fails <see cref="ModulePath.CheckPath"/>; the message is Go's error.</exception>
    public static string EscapePath(string path)
    {
        if (ModulePath.CheckPath(path) is { } error)
        {
            throw new ArgumentException(error);
        }
        return Escape(path);
    }

    /// <summary>
    /// Escapes a version. Versions need not be semantic versions but must be valid file names without <c>!</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The version is not allowed; the message is Go's error.</exception>
    public static string EscapeVersion(string version)
    {
        if (PathRules.CheckElement(version, PathKind.File) is not null || version.Contains('!', StringComparison.Ordinal))
        {
            throw new ArgumentException($"version {GoQuote.Quote(version)} invalid: disallowed version string");
        }
        return Escape(version);
    }

    /// <summary>Reverses <see cref="EscapePath"/> and checks the result with <see cref="ModulePath.CheckPath"/>.</summary>
    /// <returns>false with Go's error text (and path "") when the escaping or the path is invalid.</returns>
    public static bool TryUnescapePath(string escaped, out string path, out string error)
    {
        path = "";
        if (Unescape(escaped) is not { } unescaped)
        {
            error = $"invalid escaped module path {GoQuote.Quote(escaped)}";
            return false;
        }
        if (ModulePath.CheckPath(unescaped) is { } pathError)
        {
            error = $"invalid escaped module path {GoQuote.Quote(escaped)}: {pathError}";
            return false;
        }
        (path, error) = (unescaped, "");
        return true;
    }

    /// <summary>Reverses <see cref="EscapeVersion"/>; the result must be a valid file name element.</summary>
    /// <returns>false with Go's error text (and version "") when the escaping or the version is invalid.</returns>
    public static bool TryUnescapeVersion(string escaped, out string version, out string error)
    {
        version = "";
        if (Unescape(escaped) is not { } unescaped)
        {
            error = $"invalid escaped version {GoQuote.Quote(escaped)}";
            return false;
        }
        if (PathRules.CheckElement(unescaped, PathKind.File) is { } elementError)
        {
            error = $"invalid escaped version {GoQuote.Quote(unescaped)}: {elementError}";
            return false;
        }
        (version, error) = (unescaped, "");
        return true;
    }

    private static string Escape(string s)
    {
        // Unreachable for checked paths, but a version may hold a non-ASCII letter, which has no escaped form.
        if (!Ascii.IsValid(s))
        {
            throw new ArgumentException("internal error: inconsistency in EscapePath");
        }
        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            if (char.IsAsciiLetterUpper(c))
            {
                sb.Append('!').Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    // Only ASCII, no upper case, and every '!' followed by a lower-case letter.
    private static string? Unescape(string escaped)
    {
        var sb = new StringBuilder(escaped.Length);
        bool bang = false;
        foreach (char c in escaped)
        {
            if (!char.IsAscii(c) || char.IsAsciiLetterUpper(c) || (bang && !char.IsAsciiLetterLower(c)))
            {
                return null;
            }
            if (bang)
            {
                sb.Append(char.ToUpperInvariant(c));
                bang = false;
            }
            else if (c == '!')
            {
                bang = true;
            }
            else
            {
                sb.Append(c);
            }
        }
        return bang ? null : sb.ToString();
    }
}
