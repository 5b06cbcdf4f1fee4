namespace SecureGateway.Tests.GoTooling;

/// <summary>What an external command (go or git) did: its exit code and everything it printed.</summary>
/// <param name="CommandLine">The program and arguments, for messages.</param>
/// <param name="ExitCode">The process exit code.</param>
/// <param name="StandardOutput">Everything written to stdout.</param>
/// <param name="StandardError">Everything written to stderr.</param>
public sealed record CommandResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>True when the command exited with 0.</summary>
    public bool Succeeded => ExitCode == 0;

    /// <summary>Returns this result, or throws with <see cref="Describe"/> when the exit code is not 0.</summary>
    public CommandResult EnsureSuccess() =>
        Succeeded ? this : throw new InvalidOperationException(Describe());

    /// <summary>A multi-line text for assertion messages: command, exit code, stderr and stdout.</summary>
    public string Describe() =>
        $"`{CommandLine}` exited with {ExitCode}\n--- stderr ---\n{StandardError}\n--- stdout ---\n{StandardOutput}";
}
