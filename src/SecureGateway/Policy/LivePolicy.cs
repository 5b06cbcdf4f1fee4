using Microsoft.Extensions.Options;
using SecureGateway.Audit;
using SecureGateway.Data.Events;
using SecureGateway.Hosting;

namespace SecureGateway.Policy;

/// <summary>
/// The policy bundle in force. The folder is watched: a changed bundle is compiled and its tests run before it
/// replaces the live one; a broken bundle is refused, logged and recorded, and the previous one stays live.
/// With no valid bundle at all the gateway admits nothing (it cannot evaluate).
/// </summary>
public sealed partial class LivePolicy(IOptions<GatewayOptions> options, AuditEventLog events, ILogger<LivePolicy> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private readonly SemaphoreSlim reloading = new(1, 1);
    private FileSystemWatcher? watcher;
    private Timer? debounce;
    private volatile PolicyBundle? current;

    public string Directory => options.Value.PolicyDir;

    /// <summary>The live bundle; null when none ever loaded.</summary>
    public PolicyBundle? Current => current;

    /// <summary>A bundle with a new revision became live (also the first one at start): later knowledge to act on.</summary>
    public event Action<PolicyBundle>? BundleLive;

    /// <summary>Why the last load was refused, while no bundle is live.</summary>
    public string? Problem { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken);
        if (System.IO.Directory.Exists(Directory))
        {
            debounce = new Timer(_ => _ = ReloadAsync(CancellationToken.None));
            watcher = new FileSystemWatcher(Directory) { IncludeSubdirectories = true, EnableRaisingEvents = true };
            watcher.Changed += OnChange;
            watcher.Created += OnChange;
            watcher.Deleted += OnChange;
            watcher.Renamed += OnChange;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        watcher?.Dispose();
        debounce?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        watcher?.Dispose();
        debounce?.Dispose();
        reloading.Dispose();
    }

    /// <summary>Loads the folder again; returns the live revision afterwards (unchanged when the new bundle was refused).</summary>
    public async Task<string?> ReloadAsync(CancellationToken cancellationToken)
    {
        await reloading.WaitAsync(cancellationToken);
        try
        {
            PolicyBundle bundle;
            try
            {
                bundle = PolicyBundle.Load(Directory);
            }
            catch (PolicyBundleException e)
            {
                await RefuseAsync(string.Join("; ", e.Problems), cancellationToken);
                return current?.Revision;
            }

            if (bundle.Revision == current?.Revision)
            {
                return current.Revision;
            }

            var report = bundle.RunTests();
            if (report.Failed > 0)
            {
                var failures = report.Results.Where(r => !r.Passed).Select(r => $"{r.File} {r.Test}: {r.Message}");
                await RefuseAsync($"revision {bundle.Revision}: {report.Failed} policy tests failed: {string.Join("; ", failures)}", cancellationToken);
                return current?.Revision;
            }

            var previous = current?.Revision;
            current = bundle;
            Problem = null;
            LogLoaded(bundle.Revision, Directory, bundle.RuleNames.Count, report.Passed);
            await events.AppendAsync(new AuditEvent
            {
                Kind = AuditEventKinds.PolicyBundleLoaded,
                Actor = "gateway",
                Subject = Directory,
                Summary = $"policy bundle {bundle.Revision} live (rules: {string.Join(", ", bundle.RuleNames)}; {report.Passed} tests passed; previous {previous ?? "none"})",
            }, cancellationToken);
            BundleLive?.Invoke(bundle);
            return bundle.Revision;
        }
        finally
        {
            reloading.Release();
        }
    }

    private async Task RefuseAsync(string problem, CancellationToken cancellationToken)
    {
        if (current is null)
        {
            Problem = problem;
        }

        LogRefused(Directory, current?.Revision ?? "none", problem);
        await events.AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.PolicyBundleRefused,
            Actor = "gateway",
            Subject = Directory,
            Summary = $"policy bundle refused, {current?.Revision ?? "no bundle"} stays live",
            Evidence = problem,
        }, cancellationToken);
    }

    private void OnChange(object sender, FileSystemEventArgs e) => debounce?.Change(Settle, Timeout.InfiniteTimeSpan);

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy bundle {Revision} from {Directory} is live: {Rules} rules, {Tests} tests passed")]
    private partial void LogLoaded(string revision, string directory, int rules, int tests);

    [LoggerMessage(Level = LogLevel.Error, Message = "Policy bundle in {Directory} refused; {Live} stays live: {Problem}")]
    private partial void LogRefused(string directory, string live, string problem);
}
