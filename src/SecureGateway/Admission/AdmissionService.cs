using System.Diagnostics.Metrics;
using System.Text.Json;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;
using SecureGateway.Policy;
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
    LivePolicy policy,
    FactsCollector facts,
    IHostApplicationLifetime lifetime,
    ILogger<AdmissionService> logger)
{
    internal const string GatewayActor = "gateway";
    private const long MaxInfoBytes = 1 << 20;

    private static readonly Meter Meter = new("SecureGateway");
    private static readonly Counter<long> PolicyErrors = Meter.CreateCounter<long>("securegateway.policy.errors", description: "Rules that threw, looped, exceeded a limit or returned garbage");

    private readonly SingleFlight<AdmissionResult> flights = new();

    /// <param name="requestedBy">Who asked first (recorded in the facts); later askers share the same admission.</param>
    public async Task<AdmissionResult> EnsureAdmittedAsync(ModuleVersion module, string? requestedBy, CancellationToken requestAborted)
    {
        if (storage.Cache.Contains(module))
        {
            return AdmissionResult.Admitted;
        }

        // The admission outlives the request that started it: others may be waiting for it, and the cache wants it.
        return await flights.RunAsync(module.ToString(), () => AdmitAsync(module, requestedBy, lifetime.ApplicationStopping))
            .WaitAsync(requestAborted);
    }

    private async Task<AdmissionResult> AdmitAsync(ModuleVersion module, string? requestedBy, CancellationToken cancellationToken)
    {
        if (storage.Cache.Contains(module))
        {
            return AdmissionResult.Admitted;
        }

        try
        {
            var previous = await decisions.LatestAsync(module.Path, module.Version, cancellationToken);
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

            var (decision, unavailable) = fetchFailure is null
                ? await DecideAsync(module, source, staged, requestedBy, cancellationToken)
                : (NewDecision(module, source, DecisionOutcome.Denied, [fetchFailure.Message]), null);
            if (unavailable is not null)
            {
                return unavailable;
            }

            decision = await decisions.RecordAsync(decision!, cancellationToken);
            LogDecided(module, decision.Outcome, decision.Id, decision.ZipHash);
            switch (decision.Outcome)
            {
                case DecisionOutcome.Admitted:
                    storage.Cache.Commit(staged, module);
                    return AdmissionResult.Admitted;
                case DecisionOutcome.Quarantined:
                    storage.Quarantine.Commit(staged, module);
                    break;
            }

            return AdmissionResult.From(decision);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            LogDatabaseFailure(module, e);
            return new(AdmissionStatus.Unavailable, $"unavailable: the audit database cannot be read or written, so {module} is not admitted; try again later");
        }
    }

    /// <summary>
    /// Verify → checksum DB → policy, stopping at the first step that refuses. Returns the decision to record, or the
    /// reason nothing can be decided now (a source is unavailable): the gateway does not admit what it cannot check.
    /// </summary>
    private async Task<(Decision? Decision, AdmissionResult? Unavailable)> DecideAsync(
        ModuleVersion module, IUpstream source, StagedModule staged, string? requestedBy, CancellationToken cancellationToken)
    {
        var verification = ModuleVerification.Of(module, staged);
        if (verification.Violations.Count > 0)
        {
            return (NewDecision(module, source, DecisionOutcome.Denied, verification.Violations, verification), null);
        }

        var sumdb = await checksumDb.VerifyAsync(module, verification.ZipHash!, verification.GoModHash, cancellationToken);
        switch (sumdb.Outcome)
        {
            case ChecksumDbOutcome.Unavailable or ChecksumDbOutcome.Forked:
                return (null, new(AdmissionStatus.Unavailable, sumdb.Reason));
            case ChecksumDbOutcome.Refuted:
                return (NewDecision(module, source, DecisionOutcome.Denied, sumdb.Reason.Split('\n'), verification, sumdb), null);
        }

        if (policy.Current is not { } bundle)
        {
            return (null, new(AdmissionStatus.Unavailable,
                $"unavailable: no valid policy bundle in {policy.Directory} ({policy.Problem}); nothing is admitted until one loads"));
        }

        var moduleFacts = await facts.CollectAsync(module, staged, verification, sumdb, bundle, requestedBy, cancellationToken);
        var verdict = bundle.Evaluate(moduleFacts);
        var errors = verdict.Rules.Count(r => r.Reason?.StartsWith("policy error in ", StringComparison.Ordinal) == true);
        if (errors > 0)
        {
            PolicyErrors.Add(errors);
        }

        var outcome = verdict.Verdict switch
        {
            PolicyVerdict.Deny => DecisionOutcome.Denied,
            PolicyVerdict.Quarantine => DecisionOutcome.Quarantined,
            _ => DecisionOutcome.Admitted,
        };
        IReadOnlyList<string> reasons = outcome == DecisionOutcome.Admitted
            ? ["verified: zip rules, info and go.mod", sumdb.Reason, $"policy {bundle.Revision}: admitted"]
            : [.. verdict.Reasons];
        return (NewDecision(module, source, outcome, reasons, verification, sumdb, (bundle.Revision, moduleFacts, verdict)), null);
    }

    /// <summary>
    /// Fetches .info, .mod and .zip in that order; null when all arrived, else the first failure.
    /// </summary>
    private static async Task<AdmissionResult?> FetchAsync(IUpstream source, ModuleVersion module, StagedModule staged, CancellationToken cancellationToken)
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

    private static Decision NewDecision(
        ModuleVersion module, IUpstream source, DecisionOutcome outcome, IReadOnlyList<string> reasons,
        ModuleVerification? verification = null, ChecksumDbVerdict? sumdb = null,
        (string Revision, ModuleFacts Facts, PolicyDecision Verdict)? policyRun = null) => new()
    {
        Module = module.Path,
        Version = module.Version,
        Outcome = outcome,
        Reasons = reasons,
        ZipHash = verification?.ZipHash,
        GoModHash = verification?.GoModHash,
        ZipSize = verification?.ZipSize,
        GoModSize = verification?.GoModSize,
        FileCount = verification?.FileCount,
        Upstream = source.BaseUrl,
        ChecksumDb = sumdb?.Database,
        ChecksumDbTreeSize = sumdb?.Tree?.N,
        ChecksumDbTreeHash = sumdb?.Tree?.Hash.ToString(),
        ChecksumDbRecordId = sumdb?.RecordId,
        PolicyRevision = policyRun?.Revision,
        Facts = policyRun is { } run ? PolicyJson.Serialize(run.Facts) : null,
        RuleResults = policyRun is { } ran ? JsonSerializer.Serialize(ran.Verdict.Rules, PolicyJson.Options) : null,
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
