using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Review;

/// <summary>
/// Records the acts that follow an admission (release, denial, revocation, reconsideration, re-evaluation) so that
/// each governs at once: recorded first, then current in this process (other processes hear it through NOTIFY), then
/// the local files placed to match. Acts on one version take the cross-process lock under which admission records too,
/// so a check of the current decision and the act that follows cannot interleave with another act or an admission's
/// record; an act never waits for an admission's fetch.
/// </summary>
public sealed partial class ReviewLog(DecisionLog decisions, ServingDecisions serving, ArtefactPlacement placement, DatabaseLocks locks, ILogger<ReviewLog> logger)
{
    public Task<DatabaseLock> LockAsync(ModuleVersion module, CancellationToken cancellationToken) =>
        locks.DecidingAsync(module, cancellationToken);

    public Task<Decision?> LatestAsync(ModuleVersion module, CancellationToken cancellationToken) =>
        decisions.LatestAsync(module.Path, module.Version, cancellationToken);

    public async Task<Decision> RecordAsync(Decision decision, CancellationToken cancellationToken)
    {
        var recorded = (await serving.RecordAsync(async () => await decisions.RecordAsync(decision, cancellationToken)))!;
        var module = new ModuleVersion(recorded.Module, recorded.Version);
        try
        {
            await placement.PlaceAsync(module, serving.Of(module), cancellationToken);
        }
        catch (Exception e) when (Storage.ArtefactStores.IsFailure(e))
        {
            // The act is recorded and governs serving already; the files follow at the next start's repair (or doctor).
            LogPlacementFailed(module, recorded.Id, e.Message);
        }

        return recorded;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Module}: decision {DecisionId} recorded, but its files could not be moved ({Reason}); run doctor")]
    private partial void LogPlacementFailed(ModuleVersion module, long decisionId, string reason);
}
