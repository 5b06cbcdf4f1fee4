using SecureGateway.Modules;

namespace SecureGateway.Policy;

/// <summary>
/// <c>policies/denylist.txt</c>: one entry per line, <c>module-path-glob [version-constraint]</c>, e.g.
/// <c>github.com/evil/*</c> or <c>golang.org/x/crypto &gt;=v0.25.0 &lt;v0.31.0</c>. <c>#</c> starts a comment
/// (whole line or trailing); blank lines are ignored. The glob is a GOPRIVATE-style prefix glob
/// (<see cref="ModulePathPatterns"/>): <c>github.com/evil</c> and <c>github.com/evil/*</c> both cover every module
/// under that owner. The constraint is space-separated comparisons (<c>&gt;=</c>, <c>&gt;</c>, <c>&lt;=</c>,
/// <c>&lt;</c>, <c>=</c>) with semantic versions, all of which must hold; no constraint means every version.
/// </summary>
public sealed class Denylist
{
    private readonly IReadOnlyList<Entry> _entries;

    private Denylist(IReadOnlyList<Entry> entries) => _entries = entries;

    public static Denylist Empty { get; } = new([]);

    /// <summary>The number of active entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Parses the file's text.</summary>
    /// <exception cref="FormatException">A line has a bad glob or constraint; the message names the line number.</exception>
    public static Denylist Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<Entry>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var lineNumber = i + 1;
            var tokens = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (CheckGlob(tokens[0]) is { } globError)
            {
                throw new FormatException($"line {lineNumber}: bad module path glob \"{tokens[0]}\": {globError}");
            }

            var range = VersionRange.Parse(tokens[1..], out var rangeError) ?? throw new FormatException($"line {lineNumber}: {rangeError}");
            entries.Add(new Entry(lineNumber, line, tokens[0], range));
        }

        return new Denylist(entries);
    }

    /// <summary>The first entry matching the module version, or null.</summary>
    public DenylistMatch? Match(string modulePath, string version)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        ArgumentNullException.ThrowIfNull(version);
        foreach (var entry in _entries)
        {
            if (ModulePathPatterns.Matches(entry.Glob, modulePath) && entry.Range.Contains(version))
            {
                return new DenylistMatch(entry.LineNumber, entry.Line);
            }
        }

        return null;
    }

    /// <summary>Go's path.Match pattern syntax (ErrBadPattern), plus no commas: a glob is one pattern, not a list.</summary>
    private static string? CheckGlob(string glob)
    {
        if (glob.Contains(',', StringComparison.Ordinal))
        {
            return "one glob per line (no commas)";
        }

        for (var p = 0; p < glob.Length; p++)
        {
            switch (glob[p])
            {
                case '\\':
                    if (++p == glob.Length)
                    {
                        return "trailing backslash";
                    }

                    break;
                case '[':
                    if (!SkipClass(glob, ref p))
                    {
                        return "malformed character class";
                    }

                    break;
                case ']':
                    return "unmatched ']'";
            }
        }

        return null;
    }

    // On entry glob[p] == '['; on success p is at the closing ']'.
    private static bool SkipClass(string glob, ref int p)
    {
        p++;
        if (p < glob.Length && glob[p] == '^')
        {
            p++;
        }

        for (var first = true; ; first = false)
        {
            if (p == glob.Length)
            {
                return false;
            }

            if (glob[p] == ']' && !first)
            {
                return true;
            }

            if (!SkipClassChar(glob, ref p))
            {
                return false;
            }

            if (p < glob.Length && glob[p] == '-')
            {
                p++;
                if (!SkipClassChar(glob, ref p))
                {
                    return false;
                }
            }
        }
    }

    private static bool SkipClassChar(string glob, ref int p)
    {
        if (p == glob.Length || glob[p] is '-' or ']')
        {
            return false;
        }

        if (glob[p] == '\\' && ++p == glob.Length)
        {
            return false;
        }

        p++;
        return true;
    }

    private sealed record Entry(int LineNumber, string Line, string Glob, VersionRange Range);
}
