using SecureGateway.Modules;

namespace SecureGateway.Policy;

/// <summary>
/// The facts about one module version. Serialized with System.Text.Json (camelCase, nulls included, see
/// <see cref="PolicyJson"/>) and handed to every rule as a plain JavaScript object; stored as JSON with the
/// decision so that it can be replayed. Every field is documented in <c>policies/README.md</c>.
/// </summary>
public sealed record ModuleFacts
{
    public required ModuleIdentity Module { get; init; }

    public required ModuleTimes Times { get; init; }

    public IReadOnlyList<DetectedLicence> Licences { get; init; } = [];

    /// <summary>
    /// The module's SPDX expression over all its licence files (<c>MIT AND BSD-3-Clause</c>,
    /// <c>LGPL-3.0-only WITH LGPL-3.0-linking-exception</c>); null when no file holds a known licence.
    /// </summary>
    public string? LicenceExpression { get; init; }

    /// <summary>The AND-terms of <see cref="LicenceExpression"/>, each a licence with its exceptions.</summary>
    public IReadOnlyList<string> LicenceTerms { get; init; } = [];

    /// <summary>
    /// Licence files found but not listed in <see cref="Licences"/>: beyond <see cref="MaxListedLicences"/> files, one
    /// file per SPDX id is listed (the set of ids, which rules decide on, is kept whole).
    /// </summary>
    public int LicencesOmitted { get; init; }

    public const int MaxListedLicences = 100;

    public required ArchiveFacts Zip { get; init; }

    public required ChecksumDbFacts ChecksumDb { get; init; }

    /// <summary>The first line of the live bundle's <c>denylist.txt</c> that matches, if any (see <see cref="Denylist.Match"/>).</summary>
    public DenylistMatch? Denylist { get; init; }

    public IReadOnlyList<KnownVulnerability> Vulnerabilities { get; init; } = [];

    /// <summary>Known-malicious-package records (OpenSSF malicious-packages, OSV <c>MAL-</c> ids) that match this version.</summary>
    public IReadOnlyList<MaliciousRecord> Malicious { get; init; } = [];

    /// <summary>GitHub repository facts; null for modules not hosted on github.com.</summary>
    public RepositoryInfo? Repository { get; init; }

    /// <summary>How current the data behind <see cref="Vulnerabilities"/>, <see cref="Malicious"/> and the age is; null in facts recorded before it was tracked.</summary>
    public DataFreshness? Freshness { get; init; }

    /// <summary>The client identity that asked for the version, when known.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>
    /// The licence files as facts: all of them up to <see cref="MaxListedLicences"/>, else the first file of each SPDX id
    /// (a hostile zip may hold millions of licence files; the ids a rule decides on stay complete), with the count left out.
    /// </summary>
    public static (IReadOnlyList<DetectedLicence> Listed, int Omitted) ListLicences(IReadOnlyList<DetectedLicence> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        if (found.Count <= MaxListedLicences)
        {
            return (found, 0);
        }

        var listed = found.GroupBy(l => l.Spdx, StringComparer.Ordinal).Select(g => g.First()).ToList();
        return (listed, found.Count - listed.Count);
    }

    /// <summary>
    /// The module path and version with the parsed semantic-version parts. An invalid version leaves the
    /// parts empty (the gateway only admits canonical versions, so rules do not see that in practice).
    /// </summary>
    public static ModuleIdentity Identify(string path, string version)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(version);

        ModulePath.TrySplitPathVersion(path, out _, out var majorSuffix);
        var canonical = SemanticVersion.Canonical(version);
        var prerelease = SemanticVersion.Prerelease(version);
        string minor = "", patch = "";
        if (canonical.Length > 0)
        {
            // canonical is vMAJOR.MINOR.PATCH[-PRERELEASE] (build dropped).
            var core = canonical[1..^prerelease.Length].Split('.');
            minor = core[1];
            patch = core[2];
        }

        return new ModuleIdentity
        {
            Path = path,
            Version = version,
            Major = SemanticVersion.Major(version),
            Minor = minor,
            Patch = patch,
            Prerelease = prerelease,
            Build = SemanticVersion.Build(version),
            IsPseudoVersion = ModuleVersions.IsPseudoVersion(version),
            MajorSuffix = majorSuffix,
        };
    }

    /// <summary>
    /// The version's times and the age the age rule uses: measured from the module index's publication time
    /// when the index knows the version (the publisher cannot backdate it), else from the <c>.info</c> Time
    /// (publisher-controlled), else from when this gateway first saw it. <see cref="ModuleTimes.AgeSource"/>
    /// says which, so that the reason can.
    /// </summary>
    /// <param name="index">
    /// What the module index said. Where it applies, a version is never aged by its publisher's clock (the .info Time):
    /// not listed after catching up to now, it is new (aged from first sight); not readable up to now, its age is unknown.
    /// </param>
    /// <param name="inChecksumDbSince">
    /// When the gateway first verified a checksum-DB tree holding the version's record: with the index unreadable, a
    /// lower bound on the age the publisher cannot backdate.
    /// </param>
    public static ModuleTimes Age(
        DateTimeOffset now, DateTimeOffset firstSeen, DateTimeOffset? info, DateTimeOffset? published, IndexVerdict index = IndexVerdict.NotApplicable,
        DateTimeOffset? inChecksumDbSince = null)
    {
        var (source, from) = index switch
        {
            IndexVerdict.NotListed => (AgeSources.NotIndexed, firstSeen),
            IndexVerdict.Unknown when inChecksumDbSince is { } since => (AgeSources.ChecksumDb, since),
            IndexVerdict.Unknown => (AgeSources.Unknown, now),
            _ => published is { } p ? (AgeSources.Index, p)
                : info is { } i ? (AgeSources.Info, i)
                : (AgeSources.FirstSeen, firstSeen),
        };
        return new ModuleTimes
        {
            Info = info,
            FirstSeen = firstSeen,
            Published = published,
            AgeSource = source,
            AgeDays = (now - from).TotalDays,
            Now = now,
        };
    }

    /// <summary>
    /// Complete, typical facts (an old, MIT-licensed, checksum-verified GitHub module with no findings): the
    /// base of the policy tests' <c>fixture(overrides)</c> and of the benchmark.
    /// </summary>
    public static ModuleFacts Example(DateTimeOffset now)
    {
        var published = now.AddDays(-400);
        return new ModuleFacts
        {
            Module = Identify("github.com/example/module", "v1.4.2"),
            Times = Age(now, now.AddDays(-30), published.AddMinutes(-5), published),
            Licences = [new DetectedLicence("MIT", "LICENSE", 0.99) { Terms = ["MIT"], Matches = [new Licences.LicenceSpan("MIT", "text", 3, 21, 0.99)] }],
            LicenceExpression = "MIT",
            LicenceTerms = ["MIT"],
            Zip = new ArchiveFacts { ZipSize = 48_213, GoModSize = 112, FileCount = 23 },
            ChecksumDb = new ChecksumDbFacts
            {
                Status = "verified",
                Database = "sum.golang.org",
                TreeSize = 41_234_567,
                RecordId = 39_876_543,
                Reason = "verified in sum.golang.org",
            },
            Repository = new RepositoryInfo
            {
                Host = "github.com",
                Owner = "example",
                Name = "module",
                Available = true,
                Archived = false,
                CreatedAt = now.AddDays(-2000),
                PushedAt = now.AddDays(-12),
                Stars = 1234,
                Licence = "MIT",
            },
            Freshness = new DataFreshness(
                SourceFreshness.Of("https://vuln.go.dev", now.AddMinutes(-20), 5_123, TimeSpan.FromDays(1), now),
                SourceFreshness.Of("https://index.golang.org", now.AddMinutes(-3), null, TimeSpan.FromHours(1), now),
                SourceFreshness.Of(null, null, null, TimeSpan.FromDays(1), now)),
            RequestedBy = "ci@example.com",
        };
    }
}

/// <summary>The values of <see cref="ModuleTimes.AgeSource"/>.</summary>
public static class AgeSources
{
    public const string Index = "index";
    public const string Info = "info";
    public const string FirstSeen = "firstSeen";

    /// <summary>The index applies and, caught up to now, does not list the version: it is new.</summary>
    public const string NotIndexed = "notIndexed";

    /// <summary>The index could not be read, but a checksum-DB tree this gateway verified at that time held the record: at least that old.</summary>
    public const string ChecksumDb = "checksumDb";

    /// <summary>The index applies but could not be read up to now: the age is not known (ageDays 0).</summary>
    public const string Unknown = "unknown";
}

/// <summary>What the module index said of a version, for its age.</summary>
public enum IndexVerdict
{
    /// <summary>No index applies (off, a private module or upstream): age from .info, else first sight.</summary>
    NotApplicable,

    /// <summary>Listed: its publication time, which the publisher cannot backdate.</summary>
    Listed,

    /// <summary>Not listed after the mirror caught up to now.</summary>
    NotListed,

    /// <summary>The mirror could not be brought up to now.</summary>
    Unknown,
}

public sealed record ModuleIdentity
{
    /// <summary>The module path, e.g. <c>golang.org/x/text</c>.</summary>
    public required string Path { get; init; }

    /// <summary>The version, e.g. <c>v0.14.0</c>.</summary>
    public required string Version { get; init; }

    /// <summary>The major version, e.g. <c>v0</c>.</summary>
    public string Major { get; init; } = "";

    /// <summary>The minor number as a string of digits, e.g. <c>14</c>.</summary>
    public string Minor { get; init; } = "";

    /// <summary>The patch number as a string of digits, e.g. <c>0</c>.</summary>
    public string Patch { get; init; } = "";

    /// <summary>The prerelease suffix with its dash (<c>-rc.1</c>) or "".</summary>
    public string Prerelease { get; init; } = "";

    /// <summary>The build suffix with its plus (<c>+incompatible</c>) or "".</summary>
    public string Build { get; init; } = "";

    public bool IsPseudoVersion { get; init; }

    /// <summary>The major-version suffix of the path: <c>/v2</c>, <c>.v1</c> for gopkg.in, or "".</summary>
    public string MajorSuffix { get; init; } = "";
}

public sealed record ModuleTimes
{
    /// <summary>The <c>.info</c> Time (the commit time, which the publisher controls); null when absent.</summary>
    public DateTimeOffset? Info { get; init; }

    /// <summary>When this gateway first saw the version.</summary>
    public required DateTimeOffset FirstSeen { get; init; }

    /// <summary>The publication time from the module index feed; null when the index does not know the version.</summary>
    public DateTimeOffset? Published { get; init; }

    /// <summary>Which time <see cref="AgeDays"/> is measured from: <c>index</c>, <c>info</c> or <c>firstSeen</c>.</summary>
    public required string AgeSource { get; init; }

    /// <summary>Days from the <see cref="AgeSource"/> time to <see cref="Now"/> (negative when that time is in the future).</summary>
    public required double AgeDays { get; init; }

    /// <summary>The evaluation time.</summary>
    public required DateTimeOffset Now { get; init; }
}

/// <summary>A licence file of the module zip; <see cref="Spdx"/> is the SPDX expression of what it holds, or <c>unknown</c>.</summary>
public sealed record DetectedLicence(string Spdx, string File, double Confidence)
{
    /// <summary>The AND-terms of <see cref="Spdx"/>; empty for <c>unknown</c>.</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];

    /// <summary>Each licence text, standard header and exception found in the file, in order, with its lines and score.</summary>
    public IReadOnlyList<Licences.LicenceSpan> Matches { get; init; } = [];

    /// <summary>Words of the file that no match explains, outside the matches or added inside one (copyright lines aside).</summary>
    public int UnexplainedWords { get; init; }

    /// <summary>The first of those words, for a reviewer.</summary>
    public string Unexplained { get; init; } = "";
}

public sealed record ArchiveFacts
{
    public long ZipSize { get; init; }

    public long GoModSize { get; init; }

    public int FileCount { get; init; }
}

/// <summary>The values of <see cref="ChecksumDbFacts.Status"/>.</summary>
public static class ChecksumDbStatuses
{
    public const string Verified = "verified";
    public const string Skipped = "skipped";
    public const string Off = "off";
}

public sealed record ChecksumDbFacts
{
    /// <summary><c>verified</c>, <c>skipped</c> (private pattern) or <c>off</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The checksum database's name, e.g. <c>sum.golang.org</c>; null when none was consulted.</summary>
    public string? Database { get; init; }

    /// <summary>The size of the signed tree the record was proven in; null when none.</summary>
    public long? TreeSize { get; init; }

    /// <summary>The record's id in the checksum database; null when none.</summary>
    public long? RecordId { get; init; }

    /// <summary>Human-readable explanation, e.g. <c>not in checksum DB: private pattern corp.example.com</c>.</summary>
    public string Reason { get; init; } = "";
}

/// <summary>
/// How current each synced fact source is. An empty vulnerability database says "no vulnerabilities" as readily as a
/// current one, so the policies are told when the data is missing or old.
/// </summary>
public sealed record DataFreshness(SourceFreshness Vulnerabilities, SourceFreshness Index, SourceFreshness Malicious)
{
    /// <summary>Each source with its name as in the facts: <c>vulnerabilities</c>, <c>index</c>, <c>malicious</c>.</summary>
    public IEnumerable<(string Name, SourceFreshness Freshness)> Sources() =>
        [("vulnerabilities", Vulnerabilities), ("index", Index), ("malicious", Malicious)];

    /// <summary>Some configured source never synced or is older than its limit.</summary>
    public bool HasMissingOrStaleData() =>
        Sources().Any(s => s.Freshness.State is FreshnessStates.Never or FreshnessStates.Stale);
}

/// <summary>The values of <see cref="SourceFreshness.State"/>.</summary>
public static class FreshnessStates
{
    /// <summary>Synced within the configured limit.</summary>
    public const string Fresh = "fresh";

    /// <summary>Last synced longer ago than the configured limit.</summary>
    public const string Stale = "stale";

    /// <summary>Configured, but no sync has ever succeeded: the data is missing.</summary>
    public const string Never = "never";

    /// <summary>Not configured: the source does not apply.</summary>
    public const string Off = "off";
}

public sealed record SourceFreshness
{
    /// <summary><c>fresh</c>, <c>stale</c>, <c>never</c> or <c>off</c> (see <see cref="FreshnessStates"/>).</summary>
    public required string State { get; init; }

    /// <summary>The source as configured; null when off.</summary>
    public string? Source { get; init; }

    /// <summary>When the last sync (of any gateway process or the CLI) succeeded; null when none has.</summary>
    public DateTimeOffset? SyncedAt { get; init; }

    /// <summary>Hours since <see cref="SyncedAt"/>; null when none.</summary>
    public double? AgeHours { get; init; }

    /// <summary>Entries the source held at that sync; null when unknown.</summary>
    public int? Entries { get; init; }

    /// <summary>The configured limit past which the data is stale, in hours.</summary>
    public double MaxAgeHours { get; init; }

    /// <summary>
    /// The freshness of a source configured as <paramref name="source"/> (null: off) whose last successful sync
    /// completed at <paramref name="syncedAt"/> (null: never).
    /// </summary>
    public static SourceFreshness Of(string? source, DateTimeOffset? syncedAt, int? entries, TimeSpan maxAge, DateTimeOffset now)
    {
        if (source is null)
        {
            return new SourceFreshness { State = FreshnessStates.Off, MaxAgeHours = maxAge.TotalHours };
        }

        var age = now - syncedAt;
        return new SourceFreshness
        {
            State = age is not { } known ? FreshnessStates.Never : known > maxAge ? FreshnessStates.Stale : FreshnessStates.Fresh,
            Source = source,
            SyncedAt = syncedAt,
            AgeHours = age is { } hours ? Math.Round(hours.TotalHours, 2) : null,
            Entries = entries,
            MaxAgeHours = maxAge.TotalHours,
        };
    }
}

/// <summary>A <c>denylist.txt</c> line that matched: its 1-based number and its entry text.</summary>
public sealed record DenylistMatch(int LineNumber, string Line);

/// <summary>A known vulnerability affecting the version; <see cref="FixedIn"/> is the first fixed version, if any.</summary>
public sealed record KnownVulnerability(string Id, IReadOnlyList<string> Aliases, string Summary, string? FixedIn);

/// <summary>A record that the version is a known-malicious package.</summary>
public sealed record MaliciousRecord(string Id, string Summary)
{
    /// <summary>OSV ids of known-malicious packages start so; vulnerabilities (GO-, GHSA-, CVE-) do not.</summary>
    public static bool IsMaliciousId(string id) => id.StartsWith("MAL-", StringComparison.Ordinal);
}

public sealed record RepositoryInfo
{
    public string Host { get; init; } = "github.com";

    public required string Owner { get; init; }

    public required string Name { get; init; }

    /// <summary>False when the facts could not be fetched (see <see cref="Error"/>); the other fields are then defaults.</summary>
    public bool Available { get; init; }

    public string? Error { get; init; }

    public bool Archived { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? PushedAt { get; init; }

    public int Stars { get; init; }

    /// <summary>The SPDX id GitHub reports for the repository, or null.</summary>
    public string? Licence { get; init; }
}
