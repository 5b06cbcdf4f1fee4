namespace SecureGateway.Modules;

/// <summary>
/// A set of versions given as comparisons that must all hold: <c>&lt;v1.2.4</c>, <c>&gt;=v1.0.0 &lt;v1.2.4</c>,
/// <c>=v1.2.3</c> (an operator may stand apart from its version: <c>&gt;= v1.0.0</c>). Compared by semantic-version
/// precedence, as the go command orders versions, so pre-releases and pseudo-versions below <c>v1.2.4</c> (e.g.
/// <c>v1.2.4-0.20240101…</c>) are in <c>&lt;v1.2.4</c>. No comparison at all: every version. Used by revocations and
/// by the policies' denylist.
/// </summary>
public sealed class VersionRange
{
    private static readonly string[] Operators = [">=", "<=", ">", "<", "="];

    private readonly IReadOnlyList<(string Operator, string Version)> comparisons;

    private VersionRange(IReadOnlyList<(string, string)> comparisons) => this.comparisons = comparisons;

    /// <summary>Parses space- (or comma-) separated comparisons; null with <paramref name="error"/> naming the bad one.</summary>
    public static VersionRange? Parse(string text, out string? error) => Parse(text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries), out error);

    /// <inheritdoc cref="Parse(string, out string?)"/>
    public static VersionRange? Parse(IReadOnlyList<string> tokens, out string? error)
    {
        error = null;
        var comparisons = new List<(string, string)>(tokens.Count);
        for (var t = 0; t < tokens.Count; t++)
        {
            var token = tokens[t];
            if (Operators.Contains(token) && t + 1 < tokens.Count)
            {
                token += tokens[++t];
            }

            var op = Operators.FirstOrDefault(o => token.StartsWith(o, StringComparison.Ordinal));
            if (op is null || !SemanticVersion.IsValid(token[op.Length..]))
            {
                error = $"bad version constraint \"{token}\": want an operator (>=, >, <=, <, =) followed by a semantic version such as v1.2.3";
                return null;
            }

            comparisons.Add((op, token[op.Length..]));
        }

        return new VersionRange(comparisons);
    }

    public bool IsEverything => comparisons.Count == 0;

    public bool Contains(string version) =>
        SemanticVersion.IsValid(version) && comparisons.All(c => Holds(c.Operator, SemanticVersion.Compare(version, c.Version)));

    public override string ToString() => string.Join(' ', comparisons.Select(c => c.Operator + c.Version));

    private static bool Holds(string op, int comparison) => op switch
    {
        "<" => comparison < 0,
        "<=" => comparison <= 0,
        ">" => comparison > 0,
        ">=" => comparison >= 0,
        _ => comparison == 0,
    };
}
