using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;
using SecureGateway.Storage;
using SecureGateway.Upstream;
using SecureGateway.Verification.ChecksumDb;
using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Admission;

/// <summary>
/// Admission, once per module version: fetch info, go.mod and zip from upstream into staging, verify them,
/// record the decision, and only then move an admitted version into the cache. Concurrent first requests share one run.
/// </summary>
public sealed partial class AdmissionService(
    GatewayStorage storage,
    UpstreamRouter upstreams,
    DecisionLog decisions,
    ChecksumDbVerifier checksumDb,
    IHostApplicationLifetime lifetime,
    ILogger<AdmissionService> logger)
{
    internal const string GatewayActor = "gateway";
    private const long MaxInfoBytes = 1 << 20;

    private readonly SingleFlight<AdmissionResult> flights = new();

    public async Task<AdmissionResult> EnsureAdmittedAsync(ModuleVersion module, CancellationToken requestAborted)
    {
        if (storage.Cache.Contains(module))
        {
            return AdmissionResult.Admitted;
        }

        // The admission outlives the request that started it: others may be waiting for it, and the cache wants it.
        return await flights.RunAsync(module.ToString(), () => AdmitAsync(module, lifetime.ApplicationStopping))
            .WaitAsync(requestAborted);
    }

    private async Task<AdmissionResult> AdmitAsync(ModuleVersion module, CancellationToken cancellationToken)
    {
        if (storage.Cache.Contains(module))
        {
            return AdmissionResult.Admitted;
        }

        Decision? previous;
        try
        {
            previous = await decisions.LatestAsync(module.Path, module.Version, cancellationToken);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            LogDatabaseFailure(module, e);
            return new(AdmissionStatus.Unavailable, $"unavailable: cannot read the audit database to decide on {module}; try again later");
        }

        if (previous is { Outcome: not DecisionOutcome.Admitted })
        {
            return AdmissionResult.From(previous);
        }

        var source = upstreams.For(module.Path);
        using var staged = storage.Staging.Create();
        var fetchFailure = await FetchAsync(source, module, staged, cancellationToken);
        if (fetchFailure is { Status: not AdmissionStatus.Refused })
        {
            LogFetchFailed(module, source.BaseUrl, fetchFailure.Message);
            return fetchFailure;
        }

        Decision decision;
        if (fetchFailure is null)
        {
            var verification = ModuleVerification.Of(module, staged);
            var sumdb = verification.Violations.Count == 0
                ? await checksumDb.VerifyAsync(module, verification.ZipHash!, verification.GoModHash, cancellationToken)
                : null;
            if (sumdb is { Outcome: ChecksumDbOutcome.Unavailable or ChecksumDbOutcome.Forked })
            {
                return new(AdmissionStatus.Unavailable, sumdb.Reason);
            }

            decision = Decide(module, source, verification, sumdb);
        }
        else
        {
            decision = Deny(module, source, [fetchFailure.Message]);
        }

        try
        {
            decision = await decisions.RecordAsync(decision, cancellationToken);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            LogDatabaseFailure(module, e);
            return new(AdmissionStatus.Unavailable, $"unavailable: cannot record the decision on {module} in the audit database, so it is not admitted; try again later");
        }

        LogDecided(module, decision.Outcome, decision.Id, decision.ZipHash);
        if (decision.Outcome != DecisionOutcome.Admitted)
        {
            return AdmissionResult.From(decision);
        }

        storage.Cache.Commit(staged, module);
        return AdmissionResult.Admitted;
    }

    /// <summary>
    /// Fetches .info, .mod and .zip in that order; null when all arrived, else the first failure.
    /// </summary>
    private static async Task<AdmissionResult?> FetchAsync(IModuleSource source, ModuleVersion module, StagedModule staged, CancellationToken cancellationToken)
    {
        var prefix = $"{ModuleEscaping.EscapePath(module.Path)}/@v/{ModuleEscaping.EscapeVersion(module.Version)}";
        foreach (var (kind, limit) in new[] { (ArtefactKind.Info, MaxInfoBytes), (ArtefactKind.Mod, ModuleZipRules.MaxGoMod), (ArtefactKind.Zip, ModuleZipRules.MaxZipFile) })
        {
            UpstreamFetch fetch;
            await using (var file = staged.Create(kind))
            {
                fetch = await source.FetchAsync($"{prefix}.{kind.Extension()}", file, limit, cancellationToken);
            }

            var failure = AdmissionResult.FromUpstream(fetch);
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    /// <summary>
    /// Admit only when the files obey Go's rules and the checksum database confirms (or was rightly skipped for) their hashes.
    /// The policy step adds its rules here.
    /// </summary>
    private static Decision Decide(ModuleVersion module, IModuleSource source, ModuleVerification verification, ChecksumDbVerdict? sumdb)
    {
        var refusals = verification.Violations
            .Concat(sumdb is { Outcome: ChecksumDbOutcome.Refuted } ? sumdb.Reason.Split('\n') : [])
            .ToList();
        var verified = sumdb?.Tree is not null;
        return new()
        {
            Module = module.Path,
            Version = module.Version,
            Outcome = refusals.Count == 0 ? DecisionOutcome.Admitted : DecisionOutcome.Denied,
            Reasons = refusals.Count == 0 ? ["verified: zip rules, info and go.mod", sumdb!.Reason] : refusals,
            ZipHash = verification.ZipHash,
            GoModHash = verification.GoModHash,
            ZipSize = verification.ZipSize,
            GoModSize = verification.GoModSize,
            FileCount = verification.FileCount,
            Upstream = source.BaseUrl,
            ChecksumDb = sumdb?.Database,
            ChecksumDbTreeSize = verified ? sumdb!.Tree!.N : null,
            ChecksumDbTreeHash = verified ? sumdb!.Tree!.Hash.ToString() : null,
            ChecksumDbRecordId = sumdb?.RecordId,
            Actor = GatewayActor,
        };
    }

    private static Decision Deny(ModuleVersion module, IModuleSource source, IReadOnlyList<string> reasons) => new()
    {
        Module = module.Path,
        Version = module.Version,
        Outcome = DecisionOutcome.Denied,
        Reasons = reasons,
        Upstream = source.BaseUrl,
        Actor = GatewayActor,
    };

    private static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or InvalidOperationException or TimeoutException
            or Microsoft.EntityFrameworkCore.DbUpdateException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Module}: {Outcome} (decision {DecisionId}, {ZipHash})")]
    private partial void LogDecided(ModuleVersion module, DecisionOutcome outcome, long decisionId, string? zipHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}: not decided, fetch from {Upstream} failed: {Reason}")]
    private partial void LogFetchFailed(ModuleVersion module, string upstream, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Module}: audit database failure; not admitted")]
    private partial void LogDatabaseFailure(ModuleVersion module, Exception exception);
}
