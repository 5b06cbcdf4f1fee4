namespace SecureGateway.Modules;

/// <summary>
/// Go's <c>path.Match</c>: <c>*</c> is any run of non-slash characters, <c>?</c> one non-slash character,
/// <c>[a-z]</c> / <c>[^a-z]</c> a class, <c>\</c> escapes. A malformed pattern matches nothing.
/// </summary>
internal static class PathGlob
{
    public static bool Matches(string pattern, string name) => Match(pattern, 0, name, 0);

    private static bool Match(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            switch (pattern[p])
            {
                case '*':
                    p++;
                    for (var end = n; ; end++)
                    {
                        if (Match(pattern, p, name, end))
                        {
                            return true;
                        }

                        if (end == name.Length || name[end] == '/')
                        {
                            return false;
                        }
                    }

                case '?':
                    if (n == name.Length || name[n] == '/')
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;

                case '[':
                    if (n == name.Length || name[n] == '/' || !TryMatchClass(pattern, ref p, name[n], out var inClass) || !inClass)
                    {
                        return false;
                    }

                    n++;
                    break;

                case '\\':
                    if (++p == pattern.Length || n == name.Length || pattern[p] != name[n])
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;

                default:
                    if (n == name.Length || pattern[p] != name[n])
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
            }
        }

        return n == name.Length;
    }

    /// <summary>Reads the class starting at <c>pattern[p] == '['</c>; false when the class is malformed.</summary>
    private static bool TryMatchClass(string pattern, ref int p, char c, out bool matched)
    {
        matched = false;
        p++;
        var negated = p < pattern.Length && pattern[p] == '^';
        if (negated)
        {
            p++;
        }

        var first = true;
        while (true)
        {
            if (p == pattern.Length)
            {
                return false;
            }

            if (pattern[p] == ']' && !first)
            {
                p++;
                matched ^= negated;
                return true;
            }

            first = false;
            if (!TryReadClassChar(pattern, ref p, out var low))
            {
                return false;
            }

            var high = low;
            if (p < pattern.Length && pattern[p] == '-')
            {
                p++;
                if (!TryReadClassChar(pattern, ref p, out high))
                {
                    return false;
                }
            }

            if (low <= c && c <= high)
            {
                matched = true;
            }
        }
    }

    private static bool TryReadClassChar(string pattern, ref int p, out char c)
    {
        c = '\0';
        if (p == pattern.Length || pattern[p] is '-' or ']')
        {
            return false;
        }

        if (pattern[p] == '\\' && ++p == pattern.Length)
        {
            return false;
        }

        c = pattern[p++];
        return true;
    }
}
