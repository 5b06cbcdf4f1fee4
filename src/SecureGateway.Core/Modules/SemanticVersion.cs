namespace SecureGateway.Modules;

/// <summary>
/// Semantic versions as the go command reads them (golang.org/x/mod/semver): a leading <c>v</c>,
/// <c>vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]</c>, no leading zeros, and <c>vX</c> / <c>vX.Y</c>
/// as shorthands for <c>vX.0.0</c> / <c>vX.Y.0</c>.
/// </summary>
public static class SemanticVersion
{
    public static bool IsValid(string v) => Parse(v) is not null;

    /// <summary>The canonical form: missing .MINOR/.PATCH filled in, build metadata dropped; "" when invalid.</summary>
    public static string Canonical(string v)
    {
        if (Parse(v) is not { } p)
        {
            return "";
        }
        if (p.Build.Length > 0)
        {
            return v[..^p.Build.Length];
        }
        return v + p.ShortSuffix;
    }

    /// <summary>The major version prefix, e.g. "v2" for "v2.1.0"; "" when invalid.</summary>
    public static string Major(string v) => Parse(v) is { } p ? v[..(1 + p.Major.Length)] : "";

    /// <summary>The prerelease suffix including its "-", e.g. "-pre" for "v2.1.0-pre+meta"; "" when invalid.</summary>
    public static string Prerelease(string v) => Parse(v)?.Prerelease ?? "";

    /// <summary>The build suffix including its "+", e.g. "+meta" for "v2.1.0+meta"; "" when invalid.</summary>
    public static string Build(string v) => Parse(v)?.Build ?? "";

    /// <summary>
    /// Orders by semantic version precedence (-1, 0, +1). An invalid version sorts below every valid one,
    /// and all invalid versions compare equal.
    /// </summary>
    public static int Compare(string v, string w)
    {
        Parsed? pv = Parse(v);
        Parsed? pw = Parse(w);
        if (pv is null || pw is null)
        {
            return (pv is null ? 0 : 1) - (pw is null ? 0 : 1);
        }
        int c = CompareNumber(pv.Major, pw.Major);
        if (c == 0)
        {
            c = CompareNumber(pv.Minor, pw.Minor);
        }
        if (c == 0)
        {
            c = CompareNumber(pv.Patch, pw.Patch);
        }
        return c != 0 ? c : ComparePrerelease(pv.Prerelease, pw.Prerelease);
    }

    private sealed record Parsed(string Major, string Minor, string Patch, string ShortSuffix, string Prerelease, string Build);

    private static Parsed? Parse(string v)
    {
        if (v.Length == 0 || v[0] != 'v')
        {
            return null;
        }
        int i = 1;
        if (ReadNumber(v, ref i) is not { } major)
        {
            return null;
        }
        if (i == v.Length)
        {
            return new Parsed(major, "0", "0", ".0.0", "", "");
        }
        if (v[i++] != '.' || ReadNumber(v, ref i) is not { } minor)
        {
            return null;
        }
        if (i == v.Length)
        {
            return new Parsed(major, minor, "0", ".0", "", "");
        }
        if (v[i++] != '.' || ReadNumber(v, ref i) is not { } patch)
        {
            return null;
        }
        int preStart = i;
        if (i < v.Length && v[i] == '-' && !ReadIdentifiers(v, ref i, stopAtPlus: true, rejectLeadingZeros: true))
        {
            return null;
        }
        int buildStart = i;
        if (i < v.Length && v[i] == '+' && !ReadIdentifiers(v, ref i, stopAtPlus: false, rejectLeadingZeros: false))
        {
            return null;
        }
        if (i != v.Length)
        {
            return null;
        }
        return new Parsed(major, minor, patch, "", v[preStart..buildStart], v[buildStart..]);
    }

    // A decimal number without extra leading zeros.
    private static string? ReadNumber(string v, ref int i)
    {
        int start = i;
        while (i < v.Length && char.IsAsciiDigit(v[i]))
        {
            i++;
        }
        if (i == start || (v[start] == '0' && i - start > 1))
        {
            return null;
        }
        return v[start..i];
    }

    // Dot-separated, non-empty identifiers of [0-9A-Za-z-] after the leading '-' or '+'.
    private static bool ReadIdentifiers(string v, ref int i, bool stopAtPlus, bool rejectLeadingZeros)
    {
        int start = ++i;
        for (; i <= v.Length; i++)
        {
            bool end = i == v.Length || (stopAtPlus && v[i] == '+');
            if (end || v[i] == '.')
            {
                if (i == start || (rejectLeadingZeros && IsNumberWithLeadingZero(v.AsSpan(start, i - start))))
                {
                    return false;
                }
                if (end)
                {
                    return true;
                }
                start = i + 1;
            }
            else if (!char.IsAsciiLetterOrDigit(v[i]) && v[i] != '-')
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsNumberWithLeadingZero(ReadOnlySpan<char> s) =>
        s.Length > 1 && s[0] == '0' && s.IndexOfAnyExceptInRange('0', '9') < 0;

    private static bool IsNumber(ReadOnlySpan<char> s) => s.IndexOfAnyExceptInRange('0', '9') < 0;

    // Numbers have no leading zeros, so the longer one is larger.
    private static int CompareNumber(string x, string y) =>
        x.Length != y.Length ? x.Length.CompareTo(y.Length) : Math.Sign(string.CompareOrdinal(x, y));

    private static int ComparePrerelease(string x, string y)
    {
        // A release outranks its prereleases; otherwise compare identifier by identifier (SemVer 2.0.0 rule 11).
        if (x == y)
        {
            return 0;
        }
        if (x.Length == 0)
        {
            return 1;
        }
        if (y.Length == 0)
        {
            return -1;
        }
        string[] xs = x[1..].Split('.');
        string[] ys = y[1..].Split('.');
        for (int k = 0; k < xs.Length && k < ys.Length; k++)
        {
            if (xs[k] == ys[k])
            {
                continue;
            }
            bool xNum = IsNumber(xs[k]);
            bool yNum = IsNumber(ys[k]);
            if (xNum != yNum)
            {
                return xNum ? -1 : 1;
            }
            return xNum ? CompareNumber(xs[k], ys[k]) : Math.Sign(string.CompareOrdinal(xs[k], ys[k]));
        }
        return xs.Length.CompareTo(ys.Length);
    }
}
