namespace SecureGateway.Modules;

/// <summary>
/// A set of versions given as comparators that must all hold, separated by spaces or commas: <c>&lt;v1.2.4</c>,
/// <c>&gt;=v1.0.0 &lt;v1.2.4</c>, <c>=v1.2.3</c>. Compared by semantic-version precedence, as the go command orders
/// versions, so pre-releases and pseudo-versions below <c>v1.2.4</c> (e.g. <c>v1.2.4-0.20240101…</c>) are in <c>&lt;v1.2.4</c>.
/// </summary>
public sealed class VersionRange
{
    private static readonly string[] Operators = ["<=", ">=", "<", ">", "="];

    private readonly IReadOnlyList<(string Operator, string Version)> comparators;

    private VersionRange(string text, IReadOnlyList<(string, string)> comparators)
    {
        Text = text;
        this.comparators = comparators;
    }

    public string Text { get; }

    /// <summary>Parses a range; null with <paramref name="error"/> when it is not one.</summary>
    public static VersionRange? Parse(string text, out string? error)
    {
        error = null;
        var parts = text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            error = "a version range needs at least one comparator, e.g. <v1.2.4 or >=v1.0.0 <v1.2.4";
            return null;
        }

        var comparators = new List<(string, string)>(parts.Length);
        foreach (var part in parts)
        {
            var op = Operators.FirstOrDefault(o => part.StartsWith(o, StringComparison.Ordinal));
            var version = op is null ? part : part[op.Length..];
            if (op is null || !SemanticVersion.IsValid(version))
            {
                error = $"\"{part}\" is not a comparator: use <, <=, >, >= or = followed by a semantic version (e.g. <v1.2.4)";
                return null;
            }

            comparators.Add((op, version));
        }

        return new VersionRange(string.Join(' ', parts), comparators);
    }

    public bool Contains(string version) =>
        SemanticVersion.IsValid(version) && comparators.All(c => Holds(c.Operator, SemanticVersion.Compare(version, c.Version)));

    private static bool Holds(string op, int comparison) => op switch
    {
        "<" => comparison < 0,
        "<=" => comparison <= 0,
        ">" => comparison > 0,
        ">=" => comparison >= 0,
        _ => comparison == 0,
    };

    public override string ToString() => Text;
}
