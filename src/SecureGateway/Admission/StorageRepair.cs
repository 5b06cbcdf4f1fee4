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
/// <param name="LeftoversRemoved">Staging folders left by processes that stopped mid-admission, and store trash a crash left undeleted.</param>
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
        var leftovers = storage.Staging.RemoveLeftovers()
            .Concat(new[] { storage.Cache, storage.Quarantine, storage.Held }.Where(store => store.EmptyTrash() > 0).Select(store => $"{store.Root}/.trash"))
            .ToList();
        var current = new Dictionary<ModuleVersion, CurrentDecision>();
        await foreach (var decision in decisions.CurrentForServingAsync(cancellationToken))
        {
            current[new ModuleVersion(decision.Module, decision.Version)] = CurrentDecision.Of(decision);
        }

        var moved = new List<string>();
        foreach (var module in storage.Cache.All().Concat(storage.Quarantine.All()).Distinct().ToList())
        {
            var decision = current.GetValueOrDefault(module);
            if (Misplaced(module, decision))
            {
                // Another process may have decided and placed it since the snapshot was read: its latest decision says.
                decision = await decisions.LatestAsync(module.Path, module.Version, cancellationToken) is { } latest ? CurrentDecision.Of(latest) : null;
                moved.AddRange(placement.Place(module, decision).Select(move => $"{module}: {move}"));
            }
        }

        var missing = current.Where(c => c.Value.Admits && !storage.Cache.Contains(c.Key)).Select(c => c.Key.ToString()).Order(StringComparer.Ordinal).ToList();
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

    private bool Misplaced(ModuleVersion module, CurrentDecision? decision) => decision?.Outcome switch
    {
        DecisionOutcome.Admitted => !storage.Cache.Contains(module),
        DecisionOutcome.Quarantined => storage.Cache.Contains(module),
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
