using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Modules;
using SecureGateway.Storage;

namespace SecureGateway.Admission;

/// <summary>What a storage check found and did.</summary>
/// <param name="Decided">Versions with a current decision.</param>
/// <param name="Moved">Files moved to match their version's current decision, e.g. <c>example.com/x@v1.0.0: cache → held</c>.</param>
/// <param name="AdmittedWithoutFiles">Admitted versions whose files are not in this cache: fetched again on their next request, and they must hash to the admitted values.</param>
/// <param name="LeftoversRemoved">Staging folders left by processes that stopped mid-admission, and what interrupted writes and deletes left in the store.</param>
public sealed record RepairReport(int Decided, IReadOnlyList<string> Moved, IReadOnlyList<string> AdmittedWithoutFiles, IReadOnlyList<string> LeftoversRemoved)
{
    public string Summary =>
        $"{Decided} versions decided; {Moved.Count} moved to match their decision, {AdmittedWithoutFiles.Count} admitted without files here " +
        $"(fetched again on request), {LeftoversRemoved.Count} staging leftovers removed";
}

/// <summary>
/// Crash consistency: decisions are recorded before files move, so after a crash the files may lag behind. This puts
/// every version's files where its current decision says (at start, and on demand by <c>doctor</c>): artefacts in the
/// cache without an admitting decision go to the held area, quarantine follows its decisions, staging leftovers go.
/// </summary>
public sealed partial class StorageRepair(DecisionLog decisions, GatewayStorage storage, ArtefactPlacement placement, AuditEventLog events, ILogger<StorageRepair> logger)
{
    public async Task<RepairReport> RunAsync(string actor, CancellationToken cancellationToken)
    {
        var leftovers = storage.Staging.RemoveLeftovers().Concat(await storage.Store.RemoveLeftoversAsync(cancellationToken)).ToList();
        var current = new Dictionary<ModuleVersion, CurrentDecision>();
        await foreach (var decision in decisions.CurrentForServingAsync(cancellationToken))
        {
            current[new ModuleVersion(decision.Module, decision.Version)] = CurrentDecision.Of(decision);
        }

        var stored = new HashSet<ModuleVersion>();
        foreach (var area in new[] { StoreArea.Cache, StoreArea.Quarantine })
        {
            await foreach (var module in storage.Store.AllAsync(area, cancellationToken))
            {
                stored.Add(module);
            }
        }

        var moved = new List<string>();
        foreach (var module in stored)
        {
            var decision = current.GetValueOrDefault(module);
            if (await MisplacedAsync(module, decision, cancellationToken))
            {
                // Another process may have decided and placed it since the snapshot was read: its latest decision says.
                decision = await decisions.LatestAsync(module.Path, module.Version, cancellationToken) is { } latest ? CurrentDecision.Of(latest) : null;
                moved.AddRange((await placement.PlaceAsync(module, decision, cancellationToken)).Select(move => $"{module}: {move}"));
            }
        }

        var missing = new List<string>();
        foreach (var (module, decision) in current)
        {
            if (decision.Admits && !await storage.Store.ContainsAsync(StoreArea.Cache, module, cancellationToken))
            {
                missing.Add(module.ToString());
            }
        }

        missing.Sort(StringComparer.Ordinal);
        var report = new RepairReport(current.Count, moved, missing, leftovers);
        if (moved.Count > 0 || leftovers.Count > 0)
        {
            await events.AppendAsync(new AuditEvent
            {
                Kind = AuditEventKinds.StorageRepair,
                Actor = actor,
                Subject = "storage",
                Summary = report.Summary,
                Evidence = string.Join('\n', moved.Concat(leftovers.Select(l => $"removed {l}"))),
            }, cancellationToken);
        }

        LogRepaired(report.Summary);
        return report;
    }

    private async Task<bool> MisplacedAsync(ModuleVersion module, CurrentDecision? decision, CancellationToken cancellationToken) => decision?.Outcome switch
    {
        DecisionOutcome.Admitted => !await storage.Store.ContainsAsync(StoreArea.Cache, module, cancellationToken),
        DecisionOutcome.Quarantined => await storage.Store.ContainsAsync(StoreArea.Cache, module, cancellationToken),
        _ => true,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage checked against current decisions: {Summary}")]
    private partial void LogRepaired(string summary);
}

/// <summary>Runs <see cref="StorageRepair"/> once at start, after the decisions are loaded and before requests are served.</summary>
public sealed class StorageRepairAtStart(StorageRepair repair) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => repair.RunAsync(AdmissionService.GatewayActor, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
