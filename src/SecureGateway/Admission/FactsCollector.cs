using SecureGateway.Audit;
using SecureGateway.Coordination;
using SecureGateway.Facts;
using SecureGateway.Modules;
using SecureGateway.Policy;
using SecureGateway.Policy.Licences;
using SecureGateway.Policy.Vulnerabilities;
using SecureGateway.Storage;
using SecureGateway.Upstream;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Admission;

/// <summary>
/// Gathers the facts the policies decide on, about a version whose files passed verification: its licences (from
/// the zip), times (the .info Time, when this gateway first saw it, when the module index published it), the denylist,
/// known vulnerabilities and repository facts, and how current the synced data is. A source that cannot answer says so
/// in the facts (repository, missing or stale data) or, where an answer is owed (vulnerabilities, index), makes the
/// admission fail closed.
/// </summary>
public sealed class FactsCollector(
    VulnerabilityDatabase vulnerabilities,
    ModuleIndexFeed index,
    UpstreamRouter upstreams,
    ChecksumDbVerifier checksumDb,
    TrustedHeads heads,
    RepositoryFactsSource repositories,
    FactFreshness freshness,
    DecisionLog decisions,
    TimeProvider time)
{
    /// <summary>The licences found in the staged zip's licence files (CPU work: every SPDX text is a candidate).</summary>
    public static IReadOnlyList<DetectedLicence> DetectLicences(ModuleVersion module, StagedModule staged) =>
        [.. LicenceDetector.Default.Detect(staged.PathOf(ArtefactKind.Zip), $"{module.Path}@{module.Version}/").Select(l => new DetectedLicence(l.Spdx, l.File, l.Confidence)
        {
            Terms = l.Terms,
            Matches = l.Spans,
            UnexplainedWords = l.UnexplainedWords,
            Unexplained = l.Unexplained,
        })];

    /// <summary>
    /// The facts' reads of the audit database (stored vulnerabilities, the index mirror, the data's freshness), to run in
    /// the round trip of the admission's claim rather than each on a connection of its own.
    /// </summary>
    public StoredFactsReads StoredReads(ModuleVersion module) => new(
        VulnerabilityDatabase.FindRead(module.Path, module.Version),
        IndexApplies(module) ? ModuleIndexFeed.PublishedRead(module.Path, module.Version) : null,
        freshness.CurrentRead());

    /// <summary>
    /// What the facts need from the sources, read while the version's files are fetched (they need none of them):
    /// <paramref name="stored"/> (read with the claim), then what may go further at once (the index's catch-up, the
    /// repository, each its own request). A version never decided before was first seen now, which needs no query.
    /// </summary>
    public async Task<FactsRead> ReadAsync(ModuleVersion module, bool decidedBefore, StoredFactsReads stored, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var firstSeenTask = decidedBefore ? decisions.FirstSeenAsync(module.Path, module.Version, cancellationToken) : Task.FromResult<DateTimeOffset?>(now);
        // The public index knows only what the public proxy fetched: it does not apply to private modules or upstreams.
        var indexTask = stored.Index is { } mirrored
            ? index.AskAsync(module.Path, module.Version, mirrored.Result, cancellationToken)
            : Task.FromResult<(DateTimeOffset?, IndexVerdict)>((null, IndexVerdict.NotApplicable));
        var repositoryTask = repositories.GetAsync(module.Path, cancellationToken);
        await Task.WhenAll(firstSeenTask, indexTask, repositoryTask);
        var (published, indexed) = await indexTask;
        return new FactsRead(now, await firstSeenTask ?? now, published, indexed, stored.Vulnerabilities.Result, await repositoryTask, stored.Freshness.Result);
    }

    private bool IndexApplies(ModuleVersion module) => !upstreams.IsRouted(module.Path) && !checksumDb.IsPrivate(module.Path);

    /// <summary>The facts for <paramref name="module"/>: what <see cref="ReadAsync"/> read, with what its files and the checksum DB showed.</summary>
    public async Task<ModuleFacts> CollectAsync(
        ModuleVersion module, FactsRead read, IReadOnlyList<DetectedLicence> detected, ModuleVerification verification, ChecksumDbVerdict sumdb,
        PolicyBundle bundle, string? requestedBy, CancellationToken cancellationToken)
    {
        // Not in the index (or the index unknown): since when this gateway has seen the version in the checksum DB.
        var inChecksumDbSince = read.Indexed == IndexVerdict.Unknown && sumdb is { Database: { } database, RecordId: { } recordId }
            ? await heads.RecordPresentSinceAsync(database, recordId, cancellationToken)
            : null;
        var (licences, licencesOmitted) = ModuleFacts.ListLicences(detected);
        var (licenceExpression, licenceTerms) = LicenceDetector.ModuleExpression([.. detected.Select(l => (l.File, l.Terms))]);
        return new ModuleFacts
        {
            Module = ModuleFacts.Identify(module.Path, module.Version),
            Times = ModuleFacts.Age(read.Now, read.FirstSeen, verification.InfoTime, read.Published, read.Indexed, inChecksumDbSince),
            Licences = licences,
            LicenceExpression = licenceExpression,
            LicenceTerms = licenceTerms,
            LicencesOmitted = licencesOmitted,
            Zip = new ArchiveFacts { ZipSize = verification.ZipSize, GoModSize = verification.GoModSize, FileCount = verification.FileCount ?? 0 },
            ChecksumDb = new ChecksumDbFacts
            {
                Status = sumdb.Outcome == ChecksumDbOutcome.Verified ? "verified" : "skipped",
                Database = sumdb.Database,
                TreeSize = sumdb.Tree?.N,
                RecordId = sumdb.RecordId,
                Reason = sumdb.Reason,
            },
            Denylist = bundle.Denylist.Match(module.Path, module.Version),
            Vulnerabilities = Vulnerabilities(read.Known),
            Malicious = Malicious(read.Known),
            Repository = Repository(read.Repository),
            Freshness = read.Freshness,
            RequestedBy = requestedBy,
        };
    }

    /// <summary>
    /// Recorded facts brought up to date for re-evaluation: age, denylist, vulnerabilities, publication time and
    /// repository facts change over time; the files (licences, sizes) and their verification do not. The data's
    /// freshness stays as recorded: it was current enough to admit the version, and a source that is late now is no
    /// reason to take it out of service (what the data says still is).
    /// </summary>
    public async Task<ModuleFacts> RefreshAsync(ModuleFacts recorded, PolicyBundle bundle, CancellationToken cancellationToken)
    {
        var (path, version) = (recorded.Module.Path, recorded.Module.Version);
        var published = await index.PublishedAsync(path, version, cancellationToken) ?? recorded.Times.Published;
        var known = await vulnerabilities.FindAsync(path, version, cancellationToken);
        var repository = await repositories.GetAsync(path, cancellationToken);
        return recorded with
        {
            Times = ModuleFacts.Age(time.GetUtcNow(), recorded.Times.FirstSeen, recorded.Times.Info, published, published is not null ? IndexVerdict.Listed
                : recorded.Times.AgeSource is AgeSources.NotIndexed or AgeSources.Unknown ? IndexVerdict.NotListed
                : IndexVerdict.NotApplicable),
            Denylist = bundle.Denylist.Match(path, version),
            Vulnerabilities = Vulnerabilities(known),
            Malicious = Malicious(known),
            Repository = Repository(repository) ?? recorded.Repository,
        };
    }

    /// <summary>The stored OSV entries that match, without the known-malicious records (they have a fact of their own).</summary>
    private static List<KnownVulnerability> Vulnerabilities(IReadOnlyList<OsvAffects> known) =>
        [.. known.Where(v => !MaliciousRecord.IsMaliciousId(v.Id)).Select(v => new KnownVulnerability(v.Id, v.Aliases, v.Summary, v.FixedIn))];

    private static List<MaliciousRecord> Malicious(IReadOnlyList<OsvAffects> known) =>
        [.. known.Where(v => MaliciousRecord.IsMaliciousId(v.Id)).Select(v => new MaliciousRecord(v.Id, v.Summary))];

    private static RepositoryInfo? Repository(RepositoryFactsResult? repository) => repository is null ? null : new RepositoryInfo
    {
        Host = "github.com",
        Owner = repository.Owner,
        Name = repository.Name,
        Available = repository.Available,
        Error = repository.Error,
        Archived = repository.Archived,
        CreatedAt = repository.CreatedAt,
        PushedAt = repository.PushedAt,
        Stars = repository.Stars,
        Licence = repository.Licence,
    };
}

/// <summary>What <see cref="FactsCollector.ReadAsync"/> read about a version, at <see cref="Now"/>.</summary>
public sealed record FactsRead(
    DateTimeOffset Now,
    DateTimeOffset FirstSeen,
    DateTimeOffset? Published,
    IndexVerdict Indexed,
    IReadOnlyList<OsvAffects> Known,
    RepositoryFactsResult? Repository,
    DataFreshness Freshness);

/// <summary>The facts' reads of the audit database for one admission (<see cref="FactsCollector.StoredReads"/>); the index's is null where it does not apply.</summary>
public sealed record StoredFactsReads(
    BatchedRead<IReadOnlyList<OsvAffects>> Vulnerabilities,
    BatchedRead<DateTimeOffset?>? Index,
    BatchedRead<DataFreshness> Freshness)
{
    public IEnumerable<BatchedRead> All => Index is null ? [Vulnerabilities, Freshness] : [Vulnerabilities, Index, Freshness];
}
