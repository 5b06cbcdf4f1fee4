using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Hosting;
using SecureGateway.Modules;
using SecureGateway.Observability;
using SecureGateway.Policy;
using SecureGateway.Storage;
using SecureGateway.Upstream;
using SecureGateway.Verification.ChecksumDb;
using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Admission;

/// <summary>
/// What may be served, decided once per module version across every gateway on the database: the current decision
/// (held in memory by <see cref="ServingDecisions"/>) answers every request; only a version never decided, or one whose
/// decision is provisional, is fetched from upstream into staging, verified, decided, recorded, and only then placed.
/// An admitted version whose files are missing here is fetched again and must hash to what was admitted.
/// Concurrent first requests in a process share one run (single-flight); processes take turns by a database lock.
/// </summary>
public sealed partial class AdmissionService(
    GatewayStorage storage,
    UpstreamRouter upstreams,
    DecisionLog decisions,
    ServingDecisions serving,
    ArtefactPlacement placement,
    DatabaseLocks locks,
    AuditEventLog events,
    ChecksumDbVerifier checksumDb,
    LivePolicy policy,
    FactsCollector facts,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<AdmissionService> logger) : IDisposable
{
    internal const string GatewayActor = "gateway";
    private const long MaxInfoBytes = 1 << 20;
    private const int MaxStoredReasons = 100;
    private static readonly TimeSpan BusyRetryAfter = TimeSpan.FromSeconds(5);

    private readonly SingleFlight<AdmissionResult> flights = new();

    /// <summary>
    /// Each admission holds a database connection for its lock and up to 500 MiB of disk while it fetches: a burst of first
    /// requests (a fresh CI cache) waits its turn here rather than exhausting connections and disk; past the queue's
    /// limit the answer is 503 with Retry-After.
    /// </summary>
    private readonly SemaphoreSlim slots = new(options.Value.MaxAdmissions, options.Value.MaxAdmissions);
    private int admitting;

    public void Dispose() => slots.Dispose();

    /// <summary>The current decision's answer, from memory; a version not yet (or only provisionally) decided is decided now.</summary>
    /// <param name="requestedBy">Who asked first (recorded in the facts); later askers share the same admission.</param>
    /// <remarks>A value task: the answer of a version already decided (nearly every request) costs no allocation.</remarks>
    public ValueTask<AdmissionResult> EnsureAdmittedAsync(ModuleVersion module, string? requestedBy, CancellationToken requestAborted)
    {
        if (!serving.Loaded)
        {
            return ValueTask.FromResult(new AdmissionResult(AdmissionStatus.Unavailable, "unavailable: the gateway is still loading its decisions; try again shortly"));
        }

        return serving.Of(module) is { } current && !current.IsProvisional(time.GetUtcNow())
            ? ValueTask.FromResult(current.Answer)
            : new ValueTask<AdmissionResult>(DecideOnceAsync(module, requestedBy, requestAborted));
    }

    /// <summary>An admitted version's files are not in this process's cache: fetch them again, or learn that the decision changed.</summary>
    public Task<AdmissionResult> RestoreAsync(ModuleVersion module, string? requestedBy, CancellationToken requestAborted) =>
        DecideOnceAsync(module, requestedBy, requestAborted);

    // The admission outlives the request that started it: others may be waiting for it, and the cache wants it.
    private Task<AdmissionResult> DecideOnceAsync(ModuleVersion module, string? requestedBy, CancellationToken requestAborted) =>
        flights.RunAsync(module.ToString(), () => AdmitAsync(module, requestedBy, lifetime.ApplicationStopping)).WaitAsync(requestAborted);

    private async Task<AdmissionResult> AdmitAsync(ModuleVersion module, string? requestedBy, CancellationToken cancellationToken)
    {
        using var run = AdmissionRun.Start(module);
        var result = await AdmitAsync(module, requestedBy, run, cancellationToken);
        run.Finish(result);
        return result;
    }

    private async Task<AdmissionResult> AdmitAsync(ModuleVersion module, string? requestedBy, AdmissionRun run, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref admitting) > options.Value.MaxAdmissions + options.Value.MaxQueuedAdmissions)
        {
            Interlocked.Decrement(ref admitting);
            LogBusy(module, options.Value.MaxAdmissions, options.Value.MaxQueuedAdmissions);
            return new(AdmissionStatus.Unavailable,
                $"unavailable: {options.Value.MaxAdmissions} admissions running and {options.Value.MaxQueuedAdmissions} waiting; {module} is not fetched now, try again shortly")
            {
                RetryAfter = BusyRetryAfter,
            };
        }

        try
        {
            await slots.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Decrement(ref admitting);
            throw;
        }

        try
        {
            using var claiming = run.Step(AdmissionStep.Claim);

            // Under the lock the database is the truth: another process may have decided while this one waited. The
            // module's range revocations are read alongside, for a version decided afresh; both in the lock's round trip.
            var latest = decisions.LatestRead(module.Path, module.Version);
            var revocations = RangeRevocations.OfModuleRead(module.Path);
            // The facts' database reads and the checksum DB's trusted head too: nothing to fetch for them, and one round
            // trip rather than five.
            var storedFacts = facts.StoredReads(module);
            var sumdbState = checksumDb.StateRead(module);
            List<BatchedRead> claimReads = [latest, revocations, .. storedFacts.All];
            if (sumdbState is not null)
            {
                claimReads.Add(sumdbState);
            }

            using var fetching = await locks.FetchingAsync(module, claimReads, cancellationToken);
            var previous = latest.Result;
            if (previous is not null)
            {
                serving.Apply(previous);
                if (!(previous.RedecideAfter <= time.GetUtcNow()))
                {
                    claiming.Dispose();
                    return previous.Outcome != DecisionOutcome.Admitted ? AdmissionResult.From(previous)
                        : await storage.Store.ContainsAsync(StoreArea.Cache, module, cancellationToken) ? AdmissionResult.Admitted
                        : await RefetchAdmittedAsync(module, previous, run, cancellationToken);
                }
            }

            // A version in a revoked range is refused before anything is fetched, unless a reviewer asked for this version
            // to be decided afresh after the range was revoked.
            var reconsidered = previous is { Actor: not GatewayActor, RedecideAfter: not null } ? previous.Time : (DateTimeOffset?)null;
            var revocation = RangeRevocations.Blocking(revocations.Result, module.Version, reconsidered);
            claiming.Dispose();
            if (revocation is not null)
            {
                return await RefuseRevokedAsync(module, previous, revocation, run, cancellationToken);
            }

            var source = upstreams.For(module.Path);
            using var staged = storage.Staging.Create();
            // The checksum DB is asked once the upstream showed the version exists (its .info arrived): a name nobody
            // published is not sent to it, and the zip is still on its way.
            var infoArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var lookup = EarlyRun<ChecksumDbLookup>.Start(infoArrived.Task, async stop =>
            {
                using var step = run.Step(AdmissionStep.ChecksumDb);
                return await checksumDb.LookUpAsync(module, sumdbState, stop);
            }, cancellationToken);
            // The facts' other reads (the index's catch-up, the repository) need no file either.
            await using var reads = EarlyRun<FactsRead>.Start(infoArrived.Task, async stop =>
            {
                using var step = run.Step(AdmissionStep.Facts);
                return await facts.ReadAsync(module, previous is not null, storedFacts, stop);
            }, cancellationToken);
            await using var zipAhead = new ZipCheckAhead(source, module, staged);
            var fetchFailure = await FetchAsync(source, module, staged, run, cancellationToken, infoArrived, zipAhead);
            if (fetchFailure is { Status: not AdmissionStatus.Refused })
            {
                LogFetchFailed(module, source.BaseUrl, fetchFailure.Message);
                return await StandsUntilDecidedAsync(module, previous, cancellationToken) ?? fetchFailure;
            }

            if (fetchFailure is not null)
            {
                run.RefusedBy("fetch");
            }

            var (decision, unavailable) = fetchFailure is null
                ? await DecideAsync(module, source, staged, zipAhead, lookup.Task, reads.Task, requestedBy, run, cancellationToken)
                : (NewDecision(module, source, DecisionOutcome.Denied, [fetchFailure.Message], redecideAfter: Cooldown()), null);
            if (unavailable is not null)
            {
                return await StandsUntilDecidedAsync(module, previous, cancellationToken) ?? unavailable;
            }

            Decision? recorded;
            AdmissionResult? superseded;
            using (run.Step(AdmissionStep.Record))
            {
                (recorded, superseded) = await RecordUnlessActedOnAsync(module, previous, decision!, cancellationToken);
            }

            if (superseded is not null)
            {
                return superseded;
            }

            decision = recorded!;
            run.Recorded(decision.Outcome);
            LogDecided(module, decision.Outcome, decision.Id, decision.ZipHash);

            // Recorded first, placed second: a crash in between is repaired at the next start.
            using var committing = run.Step(AdmissionStep.Commit);
            await placement.PlaceAsync(module, CurrentDecision.Of(decision), cancellationToken);
            switch (decision.Outcome)
            {
                case DecisionOutcome.Admitted:
                    await storage.Store.SaveAsync(StoreArea.Cache, module, staged, cancellationToken);
                    break;
                case DecisionOutcome.Quarantined:
                    await storage.Store.SaveAsync(StoreArea.Quarantine, module, staged, cancellationToken);
                    break;
            }

            // An act heard since the decision was recorded may already have placed files the commit just undid.
            await placement.PlaceAsync(module, serving.Of(module), cancellationToken);
            return decision.Outcome == DecisionOutcome.Admitted ? AdmissionResult.Admitted : AdmissionResult.From(decision);
        }
        catch (Exception e) when (IsDatabaseFailure(e))
        {
            LogDatabaseFailure(module, e);
            return new(AdmissionStatus.Unavailable, $"unavailable: the audit database cannot be read or written, so {module} is not admitted; try again later");
        }
        catch (Exception e) when (ArtefactStores.IsFailure(e))
        {
            // A recorded admission whose files could not be stored is fetched again on the next request.
            LogStorageFailure(module, e);
            return new(AdmissionStatus.Unavailable, $"unavailable: the gateway cannot store {module} ({e.Message}); try again later");
        }
        finally
        {
            slots.Release();
            Interlocked.Decrement(ref admitting);
        }
    }

    /// <summary>Records the denial of a version in <paramref name="revocation"/>'s range, unless an act came meanwhile.</summary>
    private async Task<AdmissionResult> RefuseRevokedAsync(
        ModuleVersion module, Decision? previous, RangeRevocation revocation, AdmissionRun run, CancellationToken cancellationToken)
    {
        var (denial, superseded) = await RecordUnlessActedOnAsync(module, previous, SuccessorDecision.Of(
            previous, module, DecisionOutcome.Denied, [$"revoked by {revocation.Actor}: {revocation.Justification}"], revocation.Actor, revocation.Justification),
            cancellationToken);
        if (superseded is not null)
        {
            return superseded;
        }

        run.RefusedBy("range_revocation");
        run.Recorded(denial!.Outcome);
        await placement.PlaceAsync(module, CurrentDecision.Of(denial), cancellationToken);
        LogDecided(module, denial.Outcome, denial.Id, null);
        return AdmissionResult.From(denial);
    }

    /// <summary>
    /// Records <paramref name="decision"/> under the version's decision lock unless a decision came after
    /// <paramref name="previous"/> meanwhile (a revocation does not wait for a fetch): that act stands, and the answer
    /// is its refusal, or "try again" when it asks for a new decision. The recorded decision is current here at once.
    /// </summary>
    private async Task<(Decision? Recorded, AdmissionResult? Superseded)> RecordUnlessActedOnAsync(
        ModuleVersion module, Decision? previous, Decision decision, CancellationToken cancellationToken)
    {
        if (await serving.RecordAsync(() => decisions.RecordUnlessSupersededAsync(decision, previous?.Id, DatabaseLocks.DecidingKey(module), cancellationToken)) is { } recorded)
        {
            return (recorded, null);
        }

        var latest = (await decisions.LatestAsync(module.Path, module.Version, cancellationToken))!;
        serving.Apply(latest);
        LogSuperseded(module, latest.Id);
        return (null, latest.Outcome != DecisionOutcome.Admitted && !(latest.RedecideAfter <= time.GetUtcNow())
            ? AdmissionResult.From(latest)
            : new(AdmissionStatus.Unavailable, $"unavailable: {module} was acted on (decision {latest.Id}) while it was being decided; try again"));
    }

    /// <summary>
    /// A provisional admission (reconsidered) that cannot be decided afresh right now (upstream or checksum DB down) stands
    /// until it can: the reviewer asked for a new decision, not for an outage of a version in use.
    /// </summary>
    private async Task<AdmissionResult?> StandsUntilDecidedAsync(ModuleVersion module, Decision? previous, CancellationToken cancellationToken) =>
        previous is { Outcome: DecisionOutcome.Admitted } && await storage.Store.ContainsAsync(StoreArea.Cache, module, cancellationToken) ? AdmissionResult.Admitted : null;

    /// <summary>
    /// The version is admitted but its files are not here (never fetched by this process, lost, or moved by a crash):
    /// upstream's bytes must be the admitted ones. Anything else is a checksum alarm, recorded and not served.
    /// </summary>
    private async Task<AdmissionResult> RefetchAdmittedAsync(ModuleVersion module, Decision admitted, AdmissionRun run, CancellationToken cancellationToken)
    {
        var source = upstreams.For(module.Path);
        using var staged = storage.Staging.Create();
        await using var zipAhead = new ZipCheckAhead(source, module, staged);
        if (await FetchAsync(source, module, staged, run, cancellationToken, zipAhead: zipAhead) is { } failure)
        {
            LogFetchFailed(module, source.BaseUrl, failure.Message);
            return failure.Status == AdmissionStatus.Refused ? new(AdmissionStatus.UpstreamFailed, $"upstream error: {failure.Message}") : failure;
        }

        ModuleVerification verification;
        using (run.Step(AdmissionStep.Verify))
        {
            verification = ModuleVerification.Of(module, staged, await zipAhead.ReportAsync());
        }

        if (verification.Violations.Count == 0 && verification.ZipHash == admitted.ZipHash && verification.GoModHash == admitted.GoModHash)
        {
            await storage.Store.SaveAsync(StoreArea.Cache, module, staged, cancellationToken);
            await placement.PlaceAsync(module, serving.Of(module), cancellationToken);
            LogRefetched(module, admitted.Id);
            return AdmissionResult.Admitted;
        }

        var served = $"zip {verification.ZipHash ?? "(not a valid module zip)"}, go.mod {verification.GoModHash}";
        var alarm = await events.AppendAsync(new AuditEvent
        {
            Kind = AuditEventKinds.ChecksumAlarm,
            Actor = GatewayActor,
            Subject = module.ToString(),
            Summary = $"{source.BaseUrl} served {module} as {served}; decision {admitted.Id} admitted zip {admitted.ZipHash}, go.mod {admitted.GoModHash}",
            Evidence = string.Join('\n', verification.Violations),
        }, cancellationToken);
        LogChecksumAlarm(module, source.BaseUrl, served, admitted.Id, alarm.Id);
        return new(AdmissionStatus.UpstreamFailed,
            $"upstream error: checksum alarm: upstream now serves {module} as {served}, not the bytes decision {admitted.Id} admitted (audit event {alarm.Id}); not served");
    }

    /// <summary>
    /// Verify → checksum DB → policy, stopping at the first step that refuses. Returns the decision to record, or the
    /// reason nothing can be decided now (a source is unavailable): the gateway does not admit what it cannot check.
    /// </summary>
    private async Task<(Decision? Decision, AdmissionResult? Unavailable)> DecideAsync(
        ModuleVersion module, IUpstream source, StagedModule staged, ZipCheckAhead zipAhead, Task<ChecksumDbLookup> lookup, Task<FactsRead> reads,
        string? requestedBy, AdmissionRun run, CancellationToken cancellationToken)
    {
        ModuleVerification verification;
        using (run.Step(AdmissionStep.Verify))
        {
            verification = ModuleVerification.Of(module, staged, await zipAhead.ReportAsync());
        }

        if (verification.Violations.Count > 0)
        {
            run.RefusedBy("zip_rules");
            return (NewDecision(module, source, DecisionOutcome.Denied, verification.Violations, verification, redecideAfter: Cooldown()), null);
        }

        // The licence files are read while the checksum DB's answer is awaited: both are on every admission's path.
        var detecting = Task.Run(
            () =>
            {
                using var step = run.Step(AdmissionStep.Licences);
                return FactsCollector.DetectLicences(module, staged);
            },
            cancellationToken);
        // Both are awaited before either's failure is acted on: the classification reads staged files that an early
        // return would delete under it.
        await Task.WhenAll(lookup, detecting);
        var sumdb = checksumDb.Check(await lookup, module, verification.ZipHash!, verification.GoModHash);
        var licences = await detecting;

        switch (sumdb.Outcome)
        {
            case ChecksumDbOutcome.Unavailable or ChecksumDbOutcome.Forked:
                return (null, new(AdmissionStatus.Unavailable, sumdb.Reason));
            case ChecksumDbOutcome.Refuted:
                run.RefusedBy("checksum_db");
                return (NewDecision(module, source, DecisionOutcome.Denied, sumdb.Reason.Split('\n'), verification, sumdb, redecideAfter: Cooldown()), null);
        }

        if (policy.Current is not { } bundle)
        {
            return (null, new(AdmissionStatus.Unavailable,
                $"unavailable: no valid policy bundle in {policy.Directory} ({policy.Problem}); nothing is admitted until one loads"));
        }

        var moduleFacts = await facts.CollectAsync(module, await reads, licences, verification, sumdb, bundle, requestedBy, cancellationToken);

        PolicyDecision verdict;
        using (run.Step(AdmissionStep.Policy))
        {
            verdict = bundle.Evaluate(moduleFacts);
        }

        run.PolicyEvaluated(verdict);

        var outcome = verdict.Verdict switch
        {
            PolicyVerdict.Deny => DecisionOutcome.Denied,
            PolicyVerdict.Quarantine => DecisionOutcome.Quarantined,
            _ => DecisionOutcome.Admitted,
        };
        IReadOnlyList<string> reasons = outcome == DecisionOutcome.Admitted
            ? ["verified: zip rules, info and go.mod", sumdb.Reason, $"policy {bundle.Revision}: admitted"]
            : [.. verdict.Reasons];
        // Held while fact data was missing, stale or unreadable (an age the index could not tell), the version is decided
        // afresh after the cooldown rather than left in the review queue: the data is likely there by then.
        var dataLacking = moduleFacts.Freshness?.HasMissingOrStaleData() == true || moduleFacts.Times.AgeSource == AgeSources.Unknown;
        var redecideAfter = outcome == DecisionOutcome.Quarantined && dataLacking ? Cooldown() : (DateTimeOffset?)null;
        return (NewDecision(module, source, outcome, reasons, verification, sumdb, (bundle.Revision, moduleFacts, verdict), redecideAfter), null);
    }

    /// <summary>
    /// Fetches .info, .mod and .zip at once (three round trips to the upstream in the time of one); null when all
    /// arrived, else the first failure in that order. A failure stops the other fetches: a version whose .info is missing
    /// must not cost the download of its zip.
    /// </summary>
    private static async Task<AdmissionResult?> FetchAsync(
        IUpstream source, ModuleVersion module, StagedModule staged, AdmissionRun run, CancellationToken cancellationToken,
        TaskCompletionSource? infoArrived = null, ZipCheckAhead? zipAhead = null)
    {
        using var fetching = run.Step(AdmissionStep.Fetch);
        var prefix = $"{ModuleEscaping.EscapePath(module.Path)}/@v/{ModuleEscaping.EscapeVersion(module.Version)}";
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fetches = new[]
        {
            FetchOneAsync(source, $"{prefix}.info", staged, ArtefactKind.Info, MaxInfoBytes, failed, arrived: () => infoArrived?.TrySetResult()),
            FetchOneAsync(source, $"{prefix}.mod", staged, ArtefactKind.Mod, ModuleZipRules.MaxGoMod, failed, arrived: () => zipAhead?.GoModArrived()),
            FetchOneAsync(source, $"{prefix}.zip", staged, ArtefactKind.Zip, ModuleZipRules.MaxZipFile, failed, zipAhead: zipAhead),
        };
        var failures = await Task.WhenAll(fetches);
        cancellationToken.ThrowIfCancellationRequested();
        return failures.FirstOrDefault(failure => failure is not null);
    }

    /// <summary>
    /// One artefact into staging; null when it arrived, or when a sibling's failure stopped it (the upstreams answer a
    /// stop with <see cref="OperationCanceledException"/>, never as a failure of their own).
    /// </summary>
    private static async Task<AdmissionResult?> FetchOneAsync(
        IUpstream source, string path, StagedModule staged, ArtefactKind kind, long limit, CancellationTokenSource failed,
        Action? arrived = null, ZipCheckAhead? zipAhead = null)
    {
        try
        {
            UpstreamFetch fetch;
            try
            {
                await using var file = staged.Create(kind);
                fetch = await source.FetchAsync(path, zipAhead?.Follow(file, path) ?? file, limit, failed.Token);
            }
            finally
            {
                zipAhead?.Ended();
            }

            var failure = AdmissionResult.FromUpstream(fetch);
            if (failure is not null)
            {
                await failed.CancelAsync();
            }
            else
            {
                arrived?.Invoke();
            }

            return failure;
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
            return null;
        }
    }

    private static Decision NewDecision(
        ModuleVersion module, IUpstream source, DecisionOutcome outcome, IReadOnlyList<string> reasons,
        ModuleVerification? verification = null, ChecksumDbVerdict? sumdb = null,
        (string Revision, ModuleFacts Facts, PolicyDecision Verdict)? policyRun = null, DateTimeOffset? redecideAfter = null) => new()
    {
        Module = module.Path,
        Version = module.Version,
        Outcome = outcome,
        Reasons = Capped(reasons),
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
        RedecideAfter = redecideAfter,
        Actor = GatewayActor,
    };

    /// <summary>
    /// At most <see cref="MaxStoredReasons"/> reasons are stored, and a last one says how many were cut: a hostile zip
    /// can break a rule in every one of its entries.
    /// </summary>
    internal static IReadOnlyList<string> Capped(IReadOnlyList<string> reasons) =>
        reasons.Count <= MaxStoredReasons
            ? reasons
            : [.. reasons.Take(MaxStoredReasons - 1), $"… and {reasons.Count - MaxStoredReasons + 1} more reasons not stored"];

    /// <summary>
    /// When a refusal of what an upstream served lapses, so the version is decided afresh: the refusal is of these bytes,
    /// not of the version for ever (kept off the go user's one-line answer; the decision records it).
    /// </summary>
    private DateTimeOffset Cooldown() => time.GetUtcNow() + options.Value.RefusalCooldown;

    private static bool IsDatabaseFailure(Exception e) =>
        e is NpgsqlException or InvalidOperationException or TimeoutException
            or Microsoft.EntityFrameworkCore.DbUpdateException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Module}: {Outcome} (decision {DecisionId}, {ZipHash})")]
    private partial void LogDecided(ModuleVersion module, DecisionOutcome outcome, long decisionId, string? zipHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}: not decided, fetch from {Upstream} failed: {Reason}")]
    private partial void LogFetchFailed(ModuleVersion module, string upstream, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}: decision {DecisionId} was recorded while it was being decided; that act stands")]
    private partial void LogSuperseded(ModuleVersion module, long decisionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Module}: files fetched again and matched admitting decision {DecisionId}")]
    private partial void LogRefetched(ModuleVersion module, long decisionId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "SECURITY: {Upstream} served {Module} as {Served}, not what decision {DecisionId} admitted (audit event {EventId}); not served")]
    private partial void LogChecksumAlarm(ModuleVersion module, string upstream, string served, long decisionId, long eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}: not admitted now, {Running} admissions running and {Queued} waiting (Gateway:MaxAdmissions, Gateway:MaxQueuedAdmissions)")]
    private partial void LogBusy(ModuleVersion module, int running, int queued);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Module}: storage failure")]
    private partial void LogStorageFailure(ModuleVersion module, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Module}: audit database failure; not admitted")]
    private partial void LogDatabaseFailure(ModuleVersion module, Exception exception);
}
