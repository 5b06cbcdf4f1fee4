using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Data.Decisions;
using SecureGateway.Facts;
using SecureGateway.Modules;
using SecureGateway.Policy;

namespace SecureGateway.Review;

/// <summary>
/// Later knowledge wins over earlier admissions, without anyone running re-evaluation by hand: a newly live policy
/// bundle whose denylist matches admitted versions, and a vulnerability or malicious-packages sync that brings records
/// for modules with admitted versions, re-evaluate exactly those versions at once. Runs take turns across processes.
/// </summary>
public sealed partial class LaterKnowledge(
    Reevaluation reevaluation,
    CurrentDecisions current,
    ServingDecisions serving,
    VulnerabilityDatabase vulnerabilities,
    MaliciousPackages malicious,
    LivePolicy policy,
    DatabaseLocks locks,
    IHostApplicationLifetime lifetime,
    ILogger<LaterKnowledge> logger) : IHostedService, IDisposable
{
    private readonly SemaphoreSlim running = new(1, 1);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        policy.BundleLive += OnBundleLive;
        vulnerabilities.Synced += OnVulnSync;
        malicious.Synced += OnVulnSync;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        policy.BundleLive -= OnBundleLive;
        vulnerabilities.Synced -= OnVulnSync;
        malicious.Synced -= OnVulnSync;
        return Task.CompletedTask;
    }

    public void Dispose() => running.Dispose();

    /// <summary>
    /// Re-evaluates the admitted versions <paramref name="bundle"/>'s denylist matches, found among the current decisions
    /// this process holds in memory; null when there are none.
    /// </summary>
    public async Task<ReevaluationSummary?> AfterBundleAsync(PolicyBundle bundle, CancellationToken cancellationToken)
    {
        var matched = serving.All()
            .Where(v => v.Decision.Admits && bundle.Denylist.Match(v.Module.Path, v.Module.Version) is not null)
            .Select(v => v.Module)
            .ToHashSet();
        return await RunAsync(bundle, matched, cancellationToken);
    }

    /// <summary>Re-evaluates the admitted versions a sync's new or changed entries affect; null when there are none.</summary>
    public async Task<ReevaluationSummary?> AfterVulnSyncAsync(VulnSyncResult sync, PolicyBundle bundle, CancellationToken cancellationToken)
    {
        var affected = new HashSet<ModuleVersion>();
        foreach (var module in sync.ChangedModules)
        {
            foreach (var decision in await current.WithOutcomeAsync(DecisionOutcome.Admitted, module, null, cancellationToken))
            {
                if ((await vulnerabilities.FindAsync(module, decision.Version, cancellationToken)).Count > 0)
                {
                    affected.Add(Version(decision));
                }
            }
        }

        return await RunAsync(bundle, affected, cancellationToken);
    }

    private async Task<ReevaluationSummary?> RunAsync(PolicyBundle bundle, HashSet<ModuleVersion> versions, CancellationToken cancellationToken)
    {
        if (versions.Count == 0)
        {
            return null;
        }

        await running.WaitAsync(cancellationToken);
        try
        {
            await using var held = await locks.AcquireAsync("reevaluation", cancellationToken);
            var summary = await reevaluation.RunAsync(bundle, AdmissionService.GatewayActor, ReevaluationScope.Named, null, cancellationToken, versions);
            LogReevaluated(versions.Count, summary.Changes.Count(c => c.To != "admitted"));
            return summary;
        }
        finally
        {
            running.Release();
        }
    }

    private void OnBundleLive(PolicyBundle bundle) => InBackground(ct => AfterBundleAsync(bundle, ct));

    private void OnVulnSync(VulnSyncResult sync)
    {
        if (sync.ChangedModules.Count > 0 && policy.Current is { } bundle)
        {
            InBackground(ct => AfterVulnSyncAsync(sync, bundle, ct));
        }
    }

    private void InBackground(Func<CancellationToken, Task<ReevaluationSummary?>> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work(lifetime.ApplicationStopping);
        }
        catch (Exception e) when (e is not OperationCanceledException || !lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogFailed(e);
        }
    });

    private static ModuleVersion Version(Decision decision) => new(decision.Module, decision.Version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Later knowledge: {Count} admitted versions re-evaluated, {TakenBack} taken out of service")]
    private partial void LogReevaluated(int count, int takenBack);

    [LoggerMessage(Level = LogLevel.Error, Message = "Later knowledge could not be acted on (a new denylist entry or advisory); a reviewer can run re-evaluation")]
    private partial void LogFailed(Exception exception);
}
