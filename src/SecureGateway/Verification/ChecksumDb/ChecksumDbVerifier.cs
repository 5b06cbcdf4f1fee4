using SecureGateway.Coordination;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Modules;
using SecureGateway.Observability;
using SecureGateway.Upstream;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// Verifies a module version's hashes against the checksum database, as the go command does, for every client at once:
/// the lookup's signed head must verify with the configured key and be consistent with the head trusted in PostgreSQL
/// (a consistency proof both ways), the record must be proven included in it, and its go.sum lines must match.
/// </summary>
public sealed partial class ChecksumDbVerifier(
    SumDbSettings settings,
    string? privatePatterns,
    IUpstream database,
    ChecksumDbTiles tiles,
    TrustedHeads heads,
    DatabaseLocks locks,
    ILogger<ChecksumDbVerifier> logger) : IDisposable
{
    private const long MaxLookupBytes = Notes.MaxNoteSize + (1 << 20);

    /// <summary>
    /// One head comparison at a time in this process, so two admissions cannot both advance the stored head; the
    /// database lock taken inside it does the same across processes, and the semaphore keeps this process's admissions
    /// queueing here rather than each holding a connection while waiting for it.
    /// </summary>
    private readonly SemaphoreSlim headLock = new(1, 1);

    /// <summary>The hashes inside the tiles every proof reads, computed once per tile rather than once per proof.</summary>
    private readonly TileHashes tileHashes = new();

    public SumDbSettings Settings => settings;

    public void Dispose() => headLock.Dispose();

    /// <summary>
    /// The checksum DB's record of <paramref name="module"/>, proven included in a signed tree consistent with the
    /// trusted head. It needs nothing fetched, so it runs while the version's files are: <see cref="Check"/> then compares
    /// their hashes with it. <paramref name="state"/> is the fork alarm and trusted head as <see cref="StateRead"/> read
    /// them with the admission's claim.
    /// </summary>
    public async Task<ChecksumDbLookup> LookUpAsync(ModuleVersion module, BatchedRead<(long? Fork, ChecksumDbHead? Trusted, long? Since)>? state, CancellationToken cancellationToken)
    {
        if (NotLookedUp(module) is { } skipped)
        {
            return new(skipped);
        }

        try
        {
            var lookup = await FetchLookupAsync(module, cancellationToken);
            var (fork, trusted, since) = state?.Result ?? throw new InvalidOperationException($"the trusted head of {settings.Name} was not read for {module}");
            tiles.Follow(since);
            return fork is { } forkId ? new(Forked(forkId)) : await ProveAsync(module, lookup, trusted, cancellationToken);
        }
        catch (ChecksumDbUnavailableException e)
        {
            LogUnavailable(module, e.Message);
            return new(new(ChecksumDbOutcome.Unavailable, $"unavailable: {e.Message}; {module} is not admitted until it can be verified, try again later"));
        }
    }

    /// <summary>
    /// What <see cref="LookUpAsync"/> compares the lookup with (the fork alarm, the trusted head), to read in the
    /// admission's claim; null when the version is not looked up (verification off, private module).
    /// </summary>
    public BatchedRead<(long? Fork, ChecksumDbHead? Trusted, long? Since)>? StateRead(ModuleVersion module) =>
        NotLookedUp(module) is null ? TrustedHeads.StateRead(settings.Name) : null;

    /// <summary>Why <paramref name="module"/> is not looked up (verification is off, or the module is private); null when it is.</summary>
    private ChecksumDbVerdict? NotLookedUp(ModuleVersion module) =>
        settings.Disabled ? new(ChecksumDbOutcome.Skipped, "not in checksum DB: verification is off (Gateway:SumDb=off)")
        : PrivatePatternFor(module.Path) is { } pattern ? new(ChecksumDbOutcome.Skipped, $"not in checksum DB: private pattern {pattern}")
        : null;

    /// <summary>The verdict on the fetched files' hashes against what <see cref="LookUpAsync"/> proved.</summary>
    public ChecksumDbVerdict Check(ChecksumDbLookup lookup, ModuleVersion module, string zipHash, string goModHash)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var verdict = lookup.Verdict ?? Compare(lookup.Tree!, lookup.Record!, module, zipHash, goModHash);
        ChecksumDbMetrics.Looked(verdict.Outcome);
        return verdict;
    }

    private ChecksumDbVerdict Compare(TreeHead tree, LookupRecord record, ModuleVersion module, string zipHash, string goModHash)
    {
        var mismatches = new List<string>();
        CompareHash(module, "zip", zipHash, record.HashFor(module.Path, module.Version, goMod: false), mismatches);
        CompareHash(module, "go.mod", goModHash, record.HashFor(module.Path, module.Version, goMod: true), mismatches);
        return mismatches.Count > 0
            ? Refuted(string.Join("\n", mismatches))
            : new(ChecksumDbOutcome.Verified, $"checksum DB {settings.Name}: record {record.Id} in tree {tree.N}", settings.Name, tree, record.Id);
    }

    private async Task<(UpstreamFetch Fetch, byte[] Body)> FetchLookupAsync(ModuleVersion module, CancellationToken cancellationToken)
    {
        var lookupPath = $"lookup/{ModuleEscaping.EscapePath(module.Path)}@{ModuleEscaping.EscapeVersion(module.Version)}";
        using var body = new MemoryStream();
        var fetch = await database.FetchAsync(lookupPath, body, MaxLookupBytes, cancellationToken);
        return (fetch, body.ToArray());
    }

    private async Task<ChecksumDbLookup> ProveAsync(
        ModuleVersion module, (UpstreamFetch Fetch, byte[] Body) lookup, ChecksumDbHead? trusted, CancellationToken cancellationToken)
    {
        var fetch = lookup.Fetch;
        if (fetch.Status == UpstreamStatus.NotFound)
        {
            return new(Refuted($"not in checksum DB {settings.Name}: {fetch.Detail} (a private module belongs in Gateway:NoSumDb)"));
        }

        if (!fetch.IsOk)
        {
            throw new ChecksumDbUnavailableException($"checksum DB {settings.Name}: {fetch.Detail}");
        }

        LookupRecord record;
        TreeHead tree;
        try
        {
            record = LookupRecord.Parse(lookup.Body);
            var note = Notes.Open(record.SignedNote, [settings.Verifier!]);
            tree = TreeHead.Parse(System.Text.Encoding.UTF8.GetBytes(note.Text));
        }
        catch (NoteException e) when (e.Failure is NoteFailure.Unverified or NoteFailure.InvalidSignature or NoteFailure.AmbiguousKey)
        {
            return new(Refuted($"checksum DB {settings.Name}: signed tree head does not verify: {e.Message}"));
        }
        catch (Exception e) when (e is FormatException or NoteException)
        {
            throw new ChecksumDbUnavailableException($"checksum DB {settings.Name} answered a malformed lookup for {module}: {e.Message}");
        }

        var headCheck = trusted is not null && heads.SignedTree(trusted) == tree
            ? null // the trusted head itself, the usual case between two growths of the tree: nothing to prove or store
            : await CheckHeadAsync(tree, record.SignedNote, cancellationToken);
        if (headCheck is not null)
        {
            return new(headCheck);
        }

        if (record.Id >= tree.N)
        {
            return new(Refuted($"checksum DB {settings.Name}: record {record.Id} is not in the signed tree of size {tree.N}"));
        }

        try
        {
            await ProveRecordAsync(tree, record, new TileHashReader(tree, tiles, tileHashes), cancellationToken);
        }
        catch (TlogException)
        {
            // Cached tiles may belong to a history an operator has since reset away from; the database's own tiles
            // must then prove the record, authenticated against the same signed head.
            try
            {
                var fromDatabase = tiles.FromDatabase();
                await ProveRecordAsync(tree, record, new TileHashReader(tree, fromDatabase, tileHashes), cancellationToken);
                fromDatabase.Commit();
            }
            catch (TlogException e)
            {
                return new(Refuted($"checksum DB {settings.Name}: record {record.Id} for {module} is not proven in tree {tree.N}: {e.Message}"));
            }
        }

        return new(null, tree, record);
    }

    private static async Task ProveRecordAsync(TreeHead tree, LookupRecord record, TileHashReader hashes, CancellationToken cancellationToken)
    {
        var proof = await Tlog.ProveRecordAsync(tree.N, record.Id, hashes, cancellationToken);
        Tlog.CheckRecord(proof, tree.N, tree.Hash, record.Id, Tlog.RecordHash(record.Text));
    }

    /// <summary>
    /// Compares the head just seen with the trusted one: newer must extend it (then it becomes trusted), equal must match,
    /// older must be a prefix (stale, accepted, the trusted head stays). Null when the head may be used.
    /// </summary>
    private async Task<ChecksumDbVerdict?> CheckHeadAsync(TreeHead seen, byte[] seenNote, CancellationToken cancellationToken)
    {
        await headLock.WaitAsync(cancellationToken);
        try
        {
            // Another gateway process on the same database may be comparing and advancing the head right now: read the
            // trusted head (and the fork alarm it may have raised meanwhile) only once it is done.
            await using var held = await locks.AcquireAsync("checksum-db-head:" + settings.Name, cancellationToken);
            var (fork, trusted, _) = await heads.StateAsync(settings.Name, cancellationToken);
            if (fork is { } forkId)
            {
                return Forked(forkId);
            }

            if (trusted is null)
            {
                await heads.AdvanceAsync(settings.Name, seen, seenNote, cancellationToken);
                LogFirstHead(settings.Name, seen.N);
                return null;
            }

            // A head row is trusted for the signature it keeps, not for being in the table: one written behind the
            // gateway's back (by a database account, not the checksum DB) stops admissions until an operator looks.
            if (heads.SignedTree(trusted) is not { } trustedTree)
            {
                return new ChecksumDbVerdict(ChecksumDbOutcome.Unavailable,
                    $"unavailable: trusted head {trusted.Id} of {settings.Name} in the audit database is not a tree head signed by {settings.Name}: " +
                    "the head store was changed outside the gateway; investigate, then run `sumdb reset-head --confirm`", settings.Name);
            }

            if (seen == trustedTree)
            {
                return null;
            }

            // The newer tree's tiles prove the older is its prefix: our cached tiles when the newer is the trusted head,
            // the database's own when it is the head just seen.
            var seenTiles = tiles.FromDatabase();
            var (older, newer, newerTiles) = seen.N < trustedTree.N ? (seen, trustedTree, (ITileReader)tiles) : (trustedTree, seen, seenTiles);
            IReadOnlyList<TlogHash> proof;
            try
            {
                proof = await Tlog.ProveTreeAsync(newer.N, older.N, new TileHashReader(newer, newerTiles, tileHashes), cancellationToken);
            }
            catch (TlogException e)
            {
                return Refuted($"checksum DB {settings.Name}: cannot prove tree {older.N} is a prefix of tree {newer.N}: {e.Message}");
            }

            try
            {
                Tlog.CheckTree(proof, newer.N, newer.Hash, older.N, older.Hash);
            }
            catch (TlogException)
            {
                var recorded = await heads.RecordForkAsync(settings.Name, trusted, seen, seenNote, cancellationToken);
                LogFork(settings.Name, seen.N, seen.Hash, trusted.TreeSize, trusted.TreeHash, recorded.Id);
                return Forked(recorded.Id);
            }

            // Proven consistent: what was learnt from the seen head may now be kept and served.
            seenTiles.Commit();
            if (seen.N > trustedTree.N)
            {
                await heads.AdvanceAsync(settings.Name, seen, seenNote, cancellationToken);
            }

            return null;
        }
        finally
        {
            headLock.Release();
        }
    }

    /// <summary>Whether the module matches <c>Gateway:NoSumDb</c> (a private module the public services never see).</summary>
    public bool IsPrivate(string modulePath) => PrivatePatternFor(modulePath) is not null;

    private string? PrivatePatternFor(string modulePath) =>
        privatePatterns?.Split(',').FirstOrDefault(glob => ModulePathPatterns.Matches(glob, modulePath));

    private void CompareHash(ModuleVersion module, string what, string computed, string? recorded, List<string> mismatches)
    {
        if (recorded is null)
        {
            mismatches.Add($"checksum DB {settings.Name}: its record for {module} has no {what} hash");
        }
        else if (recorded != computed)
        {
            mismatches.Add($"checksum mismatch: {what} {computed} upstream vs {recorded} in {settings.Name}");
        }
    }

    private ChecksumDbVerdict Refuted(string reason) => new(ChecksumDbOutcome.Refuted, reason, settings.Name);

    private ChecksumDbVerdict Forked(long eventId) => new(ChecksumDbOutcome.Forked,
        $"unavailable: checksum DB {settings.Name} is inconsistent with the history this gateway verified before (fork, audit event {eventId}); " +
        "no new module versions are admitted until an operator investigates and runs `sumdb reset-head --confirm`",
        settings.Name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Trusting the first signed head of checksum DB {Database}: tree {Size}")]
    private partial void LogFirstHead(string database, long size);

    [LoggerMessage(Level = LogLevel.Critical, Message = "SECURITY: checksum DB {Database} presented tree {Size} hash {Hash}, inconsistent with trusted tree {TrustedSize} hash {TrustedHash} (audit event {EventId}); admissions stopped")]
    private partial void LogFork(string database, long size, TlogHash hash, long trustedSize, string trustedHash, long eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Module}: checksum DB unavailable: {Reason}")]
    private partial void LogUnavailable(ModuleVersion module, string reason);
}
