namespace SecureGateway.Policy;

/// <summary>One policy test: its file (e.g. <c>licence.test.js</c>), function name, outcome and failure message.</summary>
public sealed record PolicyTestResult(string File, string Test, bool Passed, string? Message);

public sealed record PolicyTestReport(IReadOnlyList<PolicyTestResult> Results)
{
    public int Passed => Results.Count(r => r.Passed);

    public int Failed => Results.Count(r => !r.Passed);
}
