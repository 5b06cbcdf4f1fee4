namespace SecureGateway.Reports;

/// <summary>
/// What the compliance team signs off: the gateway's decisions over a period [<see cref="ReportPeriod.From"/>,
/// <see cref="ReportPeriod.To"/>), and the state of module versions at <see cref="AsOf"/> (the end of the period,
/// or the generation time when the period has not ended). Built by <see cref="ComplianceReportBuilder"/>; rendered
/// as JSON, CSV or HTML by <see cref="ReportRenderer"/>. All times are UTC.
/// </summary>
public sealed record ComplianceReport
{
    public required ReportPeriod Period { get; init; }

    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The instant the current-state sections (licences, open quarantine, checksum-DB heads) describe.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Decisions recorded in the period, by outcome.</summary>
    public required OutcomeTotals Outcomes { get; init; }

    /// <summary>Decisions per UTC day, only days with decisions, oldest first.</summary>
    public required IReadOnlyList<DailyOutcomes> Daily { get; init; }

    /// <summary>Each policy rule's verdicts over the policy evaluations of the period (reviewers' acts are not evaluations).</summary>
    public required IReadOnlyList<RuleTotals> Rules { get; init; }

    /// <summary>Licences of the versions admitted at <see cref="AsOf"/>, most used first.</summary>
    public required IReadOnlyList<LicenceUse> Licences { get; init; }

    /// <summary>Versions in quarantine at <see cref="AsOf"/>, oldest first.</summary>
    public required IReadOnlyList<OpenQuarantineItem> OpenQuarantine { get; init; }

    /// <summary>Quarantined versions a reviewer released in the period, oldest first.</summary>
    public required IReadOnlyList<ReleaseItem> Releases { get; init; }

    /// <summary>Denials of the period grouped by their first reason, most frequent first.</summary>
    public required IReadOnlyList<DenialReason> Denials { get; init; }

    public required PolicySection Policy { get; init; }

    public required ChecksumDbSection ChecksumDb { get; init; }

    public required ConsumerSection Consumers { get; init; }
}

/// <summary>Decisions recorded in the period. <see cref="ModuleVersions"/> counts distinct module versions decided.</summary>
public sealed record OutcomeTotals(int Decisions, int Admitted, int Denied, int Quarantined, int ModuleVersions);

/// <summary>One UTC day's decisions; <see cref="Day"/> is <c>yyyy-MM-dd</c>.</summary>
public sealed record DailyOutcomes(string Day, int Admitted, int Denied, int Quarantined);

/// <summary>How often a rule returned each verdict; <see cref="PolicyErrors"/> are quarantines caused by the rule misbehaving.</summary>
public sealed record RuleTotals(string Rule, int Denied, int Quarantined, int Admitted, int NoOpinion, int PolicyErrors);

/// <summary>
/// An SPDX id and the admitted versions carrying it (<c>module@version</c>, sorted). A version with several licence
/// files counts once per distinct id. <see cref="ComplianceReportBuilder.NoLicence"/> and
/// <see cref="ComplianceReportBuilder.NoFacts"/> stand for versions with no licence file and with no recorded facts.
/// </summary>
public sealed record LicenceUse(string Spdx, int Count, IReadOnlyList<string> Modules);

public sealed record OpenQuarantineItem(
    long DecisionId, string Module, string Version, DateTimeOffset Since, double AgeDays, IReadOnlyList<string> Reasons);

/// <summary>A reviewer's release from quarantine; <see cref="Expired"/> when its waiver had lapsed at the report's as-of time.</summary>
public sealed record ReleaseItem(
    long DecisionId, DateTimeOffset Time, string Module, string Version, string Reviewer, string Justification,
    DateTimeOffset? ExpiresAt, bool Expired);

/// <summary>
/// Denials whose first reason starts with <see cref="Reason"/>: the text before the first <c>:</c>, which names the
/// policy rule (<c>licence</c>), the verification step (<c>zip rule</c>, <c>checksum DB sum.golang.org</c>) or the
/// reviewer (<c>denied after review by alice</c>). <see cref="Example"/> is the first such reason in full.
/// </summary>
public sealed record DenialReason(string Reason, int Count, string Example);

public sealed record PolicySection(IReadOnlyList<PolicyRevisionUse> Revisions, IReadOnlyList<ReportEvent> Events);

/// <summary>
/// A policy bundle revision that decided in the period (<see cref="Decisions"/> evaluations between
/// <see cref="FirstDecision"/> and <see cref="LastDecision"/>), or that was in force when the period began.
/// </summary>
public sealed record PolicyRevisionUse(
    string Revision, int Decisions, DateTimeOffset? FirstDecision, DateTimeOffset? LastDecision, bool InForceAtStart);

/// <summary>An audit event as the report shows it, evidence verbatim.</summary>
public sealed record ReportEvent(long Id, DateTimeOffset Time, string Kind, string Actor, string Subject, string Summary, string? Evidence);

/// <summary>
/// The checksum databases' trusted heads and alarms at the as-of time, the fork and head-reset events of the period,
/// and how many of the gateway's admissions in the period were verified against a checksum database.
/// </summary>
public sealed record ChecksumDbSection(
    IReadOnlyList<ChecksumDbStatus> Databases, IReadOnlyList<ReportEvent> Events, int AdmissionsVerified, int AdmissionsNotVerified);

/// <summary>
/// One checksum database: its trusted head (null when none is trusted, e.g. right after a reset), how many heads were
/// verified in the period, and the fork event that stops admissions, if one is active.
/// </summary>
public sealed record ChecksumDbStatus(string Database, TrustedHeadView? TrustedHead, int HeadsVerifiedInPeriod, ReportEvent? ActiveFork);

public sealed record TrustedHeadView(long TreeSize, string TreeHash, DateTimeOffset VerifiedAt);

/// <summary>Downloads served in the period, how many clients, and the ten clients that pulled most.</summary>
public sealed record ConsumerSection(long Downloads, int Clients, IReadOnlyList<Consumer> Top);

public sealed record Consumer(string Client, long Downloads, int ModuleVersions, DateTimeOffset LastDownload);
