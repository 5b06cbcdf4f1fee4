namespace SecureGateway.Policy;

/// <summary>A rule's or a decision's verdict. The strictest wins: Deny &gt; Quarantine &gt; Admit &gt; None.</summary>
public enum PolicyVerdict
{
    /// <summary>No opinion.</summary>
    None,
    Admit,
    Quarantine,
    Deny,
}

/// <summary>
/// One rule's result. <see cref="Rule"/> is the file name without <c>.js</c>. A rule that misbehaves (throws,
/// exceeds a limit, returns garbage) yields Quarantine with the reason <c>policy error in &lt;rule&gt;.js: …</c>.
/// </summary>
public sealed record RuleResult(string Rule, PolicyVerdict Verdict, string? Reason)
{
    /// <summary>True when the result is a policy error rather than the rule's own opinion.</summary>
    public bool IsPolicyError => Verdict == PolicyVerdict.Quarantine && Reason is not null
        && Reason.StartsWith(PolicyErrors.Prefix, StringComparison.Ordinal);
}

/// <summary>The bundle's decision: the strictest rule verdict, every rule's result, and the bundle revision.</summary>
public sealed record PolicyDecision(PolicyVerdict Verdict, IReadOnlyList<RuleResult> Rules, string Revision)
{
    /// <summary>The reasons of the rules that produced <see cref="Verdict"/>, each prefixed <c>&lt;rule&gt;: </c>.</summary>
    public IEnumerable<string> Reasons =>
        Verdict == PolicyVerdict.None
            ? []
            : Rules.Where(r => r.Verdict == Verdict)
                .Select(r => $"{r.Rule}: {r.Reason ?? PolicyVerdicts.Name(r.Verdict)}");

    /// <summary>The strictest of the verdicts (None for none).</summary>
    public static PolicyVerdict Strictest(IEnumerable<PolicyVerdict> verdicts) =>
        verdicts.DefaultIfEmpty(PolicyVerdict.None).Max();
}

internal static class PolicyVerdicts
{
    public static string Name(PolicyVerdict verdict) => verdict switch
    {
        PolicyVerdict.Admit => "admit",
        PolicyVerdict.Quarantine => "quarantine",
        PolicyVerdict.Deny => "deny",
        _ => "none",
    };
}

internal static class PolicyErrors
{
    public const string Prefix = "policy error in ";

    public static RuleResult Result(string rule, string message) =>
        new(rule, PolicyVerdict.Quarantine, $"{Prefix}{rule}.js: {message}");
}
