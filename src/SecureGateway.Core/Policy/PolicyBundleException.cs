namespace SecureGateway.Policy;

/// <summary>A policy folder that cannot be loaded; <see cref="Problems"/> lists every problem found.</summary>
public sealed class PolicyBundleException : Exception
{
    public PolicyBundleException()
        : this("policy bundle cannot be loaded")
    {
    }

    public PolicyBundleException(string message)
        : base(message)
    {
        Problems = [message];
    }

    public PolicyBundleException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [message];
    }

    internal PolicyBundleException(string directory, IReadOnlyList<string> problems)
        : base(Describe(directory, problems))
    {
        Problems = problems;
    }

    public IReadOnlyList<string> Problems { get; }

    private static string Describe(string directory, IReadOnlyList<string> problems) =>
        problems.Count == 0
            ? directory
            : $"policy bundle {directory} has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:"
              + string.Concat(problems.Select(p => Environment.NewLine + "  " + p));
}
