using System.Diagnostics;
using System.Text;

namespace SecureGateway.Tests.GoTooling;

/// <summary>Runs a program with an exact environment, captures its output and kills its whole tree on timeout.</summary>
internal static class ExternalProcess
{
    /// <summary>
    /// The parent's environment without anything that would steer go or git (GO*, GIT_*, but GOROOT
    /// is kept), so a developer's GOFLAGS or GOPROXY cannot leak into a test.
    /// </summary>
    public static Dictionary<string, string> CleanBaseEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            var steersGoOrGit = (name.StartsWith("GO", StringComparison.Ordinal) && name != "GOROOT")
                || name.StartsWith("GIT_", StringComparison.Ordinal);
            if (!steersGoOrGit)
            {
                environment[name] = (string?)entry.Value ?? "";
            }
        }

        return environment;
    }

    public static async Task<CommandResult> RunAsync(
        string program,
        string workingDirectory,
        IReadOnlyDictionary<string, string> environment,
        IReadOnlyList<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        var commandLine = string.Join(' ', arguments.Prepend(program));
        var startInfo = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        startInfo.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"could not start `{commandLine}`");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            var partialOutput = await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(
                $"`{commandLine}` did not finish within {timeout.TotalSeconds} s and was killed with its children\n"
                + $"--- stderr ---\n{partialOutput[1]}\n--- stdout ---\n{partialOutput[0]}");
        }

        return new CommandResult(commandLine, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }
}
