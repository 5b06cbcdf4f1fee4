using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// A real gateway as a separate OS process (<c>dotnet SecureGateway.dll serve</c>, as an operator runs it) on a free
/// loopback port, so a test can kill it for real (SIGKILL: no finally blocks, no disposal, locks released by the kernel)
/// or stop it as a service manager would (SIGTERM), and run several on one database.
/// </summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    public const string AdminToken = GatewayInstance.AdminToken;

    private const int OutputLines = 400;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process process;
    private readonly Queue<string> output = new();
    private readonly Lock outputLock = new();
    private bool disposed;

    private readonly TaskCompletionSource<string> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process, string dataDirectory, string connectionString)
    {
        this.process = process;
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
    }

    /// <summary>Where the process listens: a port the kernel gave it (port 0), read from its start-up log.</summary>
    public string BaseUrl { get; private set; } = "(not listening yet)";

    public string DataDirectory { get; }

    public string ConnectionString { get; }

    public HttpClient Http { get; private set; } = new();

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the process wrote to stdout and stderr, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (outputLock)
            {
                return string.Join('\n', output);
            }
        }
    }

    /// <summary>
    /// Starts a gateway process and waits until <c>/readyz</c> answers 200. The checksum DB and every networked fact
    /// source are off; <paramref name="extraArguments"/> come last and win. A port taken between choosing and binding
    /// it is retried on another.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(
        string upstream, string dataDirectory, string connectionString, string policyDirectory, params string[] extraArguments)
    {
        var gateway = Launch(upstream, dataDirectory, connectionString, policyDirectory, extraArguments);
        try
        {
            await gateway.WaitUntilReadyAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>The request for an admin endpoint, with the admin token.</summary>
    public static HttpRequestMessage AdminRequest(HttpMethod method, string path, HttpContent? content = null) =>
        new(method, path) { Headers = { Authorization = new("Bearer", AdminToken) }, Content = content };

    /// <summary>SIGKILL: the process ends at once, whatever it was doing.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync().WaitAsync(StopTimeout);
    }

    /// <summary>SIGTERM, as a service manager stops it; waits for the graceful shutdown and returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await process.WaitForExitAsync().WaitAsync(StopTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"gateway {BaseUrl} did not stop within {StopTimeout} of SIGTERM\n{Output}");
        }

        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Http.Dispose();
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }

    private static GatewayProcess Launch(
        string upstream, string dataDirectory, string connectionString, string policyDirectory, string[] extraArguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // Port 0: the kernel picks a free port as the process binds it. A port chosen here and bound later could be taken
        // in between by another test's server, which would then answer this gateway's readiness probes.
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "SecureGateway.dll"), "serve",
            "--urls", "http://127.0.0.1:0",
            $"--Gateway:Upstream={upstream}",
            $"--Gateway:DataDir={dataDirectory}",
            $"--Gateway:AdminToken={AdminToken}",
            $"--ConnectionStrings:Audit={connectionString}",
            "--Gateway:SumDb=off",
            $"--Gateway:PolicyDir={policyDirectory}",
            "--Gateway:VulnDb:Source=off",
            "--Gateway:Index:Url=off",
            "--Gateway:GitHub:ApiUrl=off",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            .. extraArguments,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Several gateways share two cores with the test host: the workstation GC keeps each one small.
        start.Environment["DOTNET_gcServer"] = "0";
        var process = new Process { StartInfo = start };
        var gateway = new GatewayProcess(process, dataDirectory, connectionString);
        process.OutputDataReceived += (_, e) => gateway.Record(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.Record(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    private async Task WaitUntilReadyAsync()
    {
        var waited = Stopwatch.StartNew();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(listening.Task, exited, Task.Delay(ReadyTimeout)) != listening.Task)
        {
            throw new GatewayExitedException($"gateway did not start listening (exited: {process.HasExited})\n{Output}");
        }

        BaseUrl = await listening.Task;
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
        var last = "no answer yet";
        while (true)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync();
                throw new GatewayExitedException($"gateway {BaseUrl} exited with {process.ExitCode} before it was ready\n{Output}");
            }

            if (waited.Elapsed > ReadyTimeout)
            {
                throw new TimeoutException($"gateway {BaseUrl} not ready within {ReadyTimeout}: {last}\n{Output}");
            }

            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var response = await Http.GetAsync("readyz", probe.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(probe.Token)}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(50);
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(match.Groups[1].Value);
        }

        lock (outputLock)
        {
            output.Enqueue(line);
            while (output.Count > OutputLines)
            {
                output.Dequeue();
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial System.Text.RegularExpressions.Regex ListeningLine();

    private sealed class GatewayExitedException(string message) : Exception(message);
}
