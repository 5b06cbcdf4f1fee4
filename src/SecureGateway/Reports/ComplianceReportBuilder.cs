using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Admission;
using SecureGateway.Data;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Policy;

namespace SecureGateway.Reports;

/// <summary>
/// Reads the audit database into a <see cref="ComplianceReport"/>, one query per section, each aggregated by
/// PostgreSQL so that only the figures travel (the issue's budget: 100,000 decisions in under 5 s). Everything is
/// read in one repeatable-read transaction, so the sections agree with each other while the gateway keeps deciding.
/// <para>
/// The current state of a module version at the as-of time is its latest decision (highest id) recorded before then.
/// A policy evaluation is a decision without a justification: a reviewer's act carries the evaluated decision's rule
/// results and revision forward, so it is not counted again. A release is an admission by an actor other than the
/// gateway, with a justification.
/// </para>
/// </summary>
public sealed class ComplianceReportBuilder(IDbContextFactory<AuditDbContext> contexts, TimeProvider time)
{
    /// <summary>The <see cref="LicenceUse.Spdx"/> of admitted versions in which no licence file was found.</summary>
    public const string NoLicence = "(no licence file)";

    /// <summary>The <see cref="LicenceUse.Spdx"/> of admitted versions with no recorded facts (no policy ran).</summary>
    public const string NoFacts = "(no facts recorded)";

    /// <summary>The <see cref="DenialReason.Reason"/> of denials recorded without a reason.</summary>
    public const string NoReason = "(no reason recorded)";

    public const int TopConsumerCount = 10;

    /// <summary>How a rule's misbehaviour reads in its result (policies/README.md: a policy error quarantines).</summary>
    private const string PolicyErrorPrefix = "policy error in ";

    private static readonly string[] PolicyEventKinds = [AuditEventKinds.PolicyBundleLoaded, AuditEventKinds.PolicyBundleRefused];
    private static readonly string[] ChecksumDbEventKinds = [AuditEventKinds.ChecksumDbFork, AuditEventKinds.ChecksumDbHeadReset];

    public async Task<ComplianceReport> BuildAsync(ReportPeriod period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(period);
        var now = time.GetUtcNow();
        var asOf = period.To < now ? period.To : now;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            var decisions = db.Decisions.AsNoTracking().Where(d => d.Time >= period.From && d.Time < period.To);
            var daily = await DailyAsync(db, period, ct);
            var report = new ComplianceReport
            {
                Period = period,
                GeneratedAt = now,
                AsOf = asOf,
                Outcomes = new OutcomeTotals(
                    daily.Sum(d => d.Admitted + d.Denied + d.Quarantined), daily.Sum(d => d.Admitted), daily.Sum(d => d.Denied), daily.Sum(d => d.Quarantined),
                    await decisions.Select(d => new { d.Module, d.Version }).Distinct().CountAsync(ct)),
                Daily = daily,
                Rules = await RulesAsync(db, period, ct),
                Licences = await LicencesAsync(db, asOf, ct),
                OpenQuarantine = await OpenQuarantineAsync(db, asOf, ct),
                Releases = await ReleasesAsync(decisions, asOf, ct),
                Denials = await DenialsAsync(db, period, ct),
                Policy = new PolicySection(await RevisionsAsync(db, period, ct), await EventsAsync(db, period, PolicyEventKinds, ct)),
                ChecksumDb = new ChecksumDbSection(
                    await ChecksumDatabasesAsync(db, period, asOf, ct),
                    await EventsAsync(db, period, ChecksumDbEventKinds, ct),
                    await GatewayAdmissions(decisions).CountAsync(d => d.ChecksumDb != null, ct),
                    await GatewayAdmissions(decisions).CountAsync(d => d.ChecksumDb == null, ct)),
                Consumers = await ConsumersAsync(db, period, ct),
            };
            await transaction.CommitAsync(ct);
            return report;
        }, cancellationToken);
    }

    private static async Task<IReadOnlyList<DailyOutcomes>> DailyAsync(AuditDbContext db, ReportPeriod period, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<DailyRow>($"""
            SELECT (time AT TIME ZONE 'UTC')::date AS day, outcome, count(*)::int AS count
            FROM decisions WHERE time >= {period.From} AND time < {period.To}
            GROUP BY 1, 2
            """).ToListAsync(cancellationToken);
        int Count(IEnumerable<DailyRow> day, DecisionOutcome outcome) => day.Where(r => r.Outcome == Name(outcome)).Sum(r => r.Count);
        return [.. rows.GroupBy(r => r.Day).OrderBy(d => d.Key).Select(day => new DailyOutcomes(
            day.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Count(day, DecisionOutcome.Admitted), Count(day, DecisionOutcome.Denied), Count(day, DecisionOutcome.Quarantined)))];
    }

    /// <summary>Every rule's verdicts over the period's policy evaluations; the verdict is recorded as its number or its name.</summary>
    private static async Task<IReadOnlyList<RuleTotals>> RulesAsync(AuditDbContext db, ReportPeriod period, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<RuleRow>($"""
            SELECT r ->> 'rule' AS rule, coalesce(r ->> 'verdict', '') AS verdict,
                   coalesce(starts_with(r ->> 'reason', {PolicyErrorPrefix}), false) AS policy_error, count(*)::int AS count
            FROM decisions, jsonb_array_elements(CASE WHEN jsonb_typeof(rule_results) = 'array' THEN rule_results ELSE '[]'::jsonb END) AS r
            WHERE time >= {period.From} AND time < {period.To} AND justification IS NULL AND r ->> 'rule' IS NOT NULL
            GROUP BY 1, 2, 3
            """).ToListAsync(cancellationToken);
        return [.. rows.GroupBy(r => r.Rule, StringComparer.Ordinal)
            .Select(rule =>
            {
                int Count(PolicyVerdict verdict, bool policyError = false) =>
                    rule.Where(r => Verdict(r.Verdict) == verdict && r.PolicyError == policyError).Sum(r => r.Count);
                return new RuleTotals(rule.Key, Count(PolicyVerdict.Deny), Count(PolicyVerdict.Quarantine), Count(PolicyVerdict.Admit),
                    Count(PolicyVerdict.None), Count(PolicyVerdict.Quarantine, policyError: true));
            })
            .OrderByDescending(r => r.Denied + r.Quarantined).ThenBy(r => r.Rule, StringComparer.Ordinal)];
    }

    /// <summary>Licences of the versions whose latest decision at <paramref name="asOf"/> admits them, from their recorded facts.</summary>
    private static async Task<IReadOnlyList<LicenceUse>> LicencesAsync(AuditDbContext db, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<LicenceRow>($"""
            SELECT l.spdx, d.facts IS NULL AS no_facts, array_agg(d.module || '@' || d.version) AS modules
            FROM decisions AS d
            LEFT JOIN LATERAL (
                SELECT DISTINCT coalesce(e ->> 'spdx', 'unknown') AS spdx
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(d.facts -> 'licences') = 'array' THEN d.facts -> 'licences' ELSE '[]'::jsonb END) AS e
            ) AS l ON TRUE
            WHERE d.outcome = {Name(DecisionOutcome.Admitted)} AND d.time < {asOf}
              AND NOT EXISTS (SELECT 1 FROM decisions AS later
                              WHERE later.module = d.module AND later.version = d.version AND later.id > d.id AND later.time < {asOf})
            GROUP BY 1, 2
            """).ToListAsync(cancellationToken);
        return [.. rows
            .GroupBy(r => r.Spdx ?? (r.NoFacts ? NoFacts : NoLicence), StringComparer.Ordinal)
            .Select(g => new LicenceUse(g.Key, g.Sum(r => r.Modules.Length), [.. g.SelectMany(r => r.Modules).Order(StringComparer.Ordinal)]))
            .OrderByDescending(l => l.Count)
            .ThenBy(l => l.Spdx, StringComparer.Ordinal)];
    }

    private static async Task<IReadOnlyList<OpenQuarantineItem>> OpenQuarantineAsync(AuditDbContext db, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var items = await db.Decisions.AsNoTracking()
            .Where(d => d.Outcome == DecisionOutcome.Quarantined && d.Time < asOf)
            .Where(d => !db.Decisions.Any(later => later.Module == d.Module && later.Version == d.Version && later.Id > d.Id && later.Time < asOf))
            .OrderBy(d => d.Time).ThenBy(d => d.Id)
            .Select(d => new { d.Id, d.Module, d.Version, d.Time, d.Reasons })
            .ToListAsync(cancellationToken);
        return [.. items.Select(d => new OpenQuarantineItem(d.Id, d.Module, d.Version, d.Time, Math.Round((asOf - d.Time).TotalDays, 2), d.Reasons))];
    }

    private static async Task<IReadOnlyList<ReleaseItem>> ReleasesAsync(IQueryable<Decision> decisions, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var releases = await decisions
            .Where(d => d.Outcome == DecisionOutcome.Admitted && d.Actor != AdmissionService.GatewayActor && d.Justification != null)
            .OrderBy(d => d.Id)
            .Select(d => new { d.Id, d.Time, d.Module, d.Version, d.Actor, d.Justification, d.ExpiresAt })
            .ToListAsync(cancellationToken);
        return [.. releases.Select(r => new ReleaseItem(r.Id, r.Time, r.Module, r.Version, r.Actor, r.Justification!, r.ExpiresAt, r.ExpiresAt <= asOf))];
    }

    /// <summary>Grouped by the text before the first colon of the first reason: the rule, verification step or reviewer that denied.</summary>
    private static async Task<IReadOnlyList<DenialReason>> DenialsAsync(AuditDbContext db, ReportPeriod period, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQuery<DenialRow>($"""
            SELECT btrim(split_part(reason, ':', 1)) AS reason, count(*)::int AS count, (array_agg(reason ORDER BY id))[1] AS example
            FROM (SELECT id, coalesce(reasons[1], '') AS reason FROM decisions
                  WHERE outcome = {Name(DecisionOutcome.Denied)} AND time >= {period.From} AND time < {period.To}) AS denied
            GROUP BY 1
            """).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new DenialReason(r.Reason.Length == 0 ? NoReason : r.Reason, r.Count, r.Example))
            .OrderByDescending(d => d.Count).ThenBy(d => d.Reason, StringComparer.Ordinal)];
    }

    /// <summary>The revisions that evaluated in the period, and the one in force when it began (the last to evaluate before).</summary>
    private static async Task<IReadOnlyList<PolicyRevisionUse>> RevisionsAsync(AuditDbContext db, ReportPeriod period, CancellationToken cancellationToken)
    {
        var evaluations = db.Decisions.AsNoTracking().Where(d => d.PolicyRevision != null && d.Justification == null);
        var decided = await evaluations
            .Where(d => d.Time >= period.From && d.Time < period.To)
            .GroupBy(d => d.PolicyRevision!)
            .Select(g => new { Revision = g.Key, Count = g.Count(), First = g.Min(d => d.Time), Last = g.Max(d => d.Time) })
            .ToListAsync(cancellationToken);
        var atStart = await evaluations
            .Where(d => d.Time < period.From)
            .OrderByDescending(d => d.Id)
            .Select(d => d.PolicyRevision)
            .FirstOrDefaultAsync(cancellationToken);
        var revisions = decided
            .Select(r => new PolicyRevisionUse(r.Revision, r.Count, r.First, r.Last, InForceAtStart: r.Revision == atStart))
            .OrderBy(r => r.FirstDecision)
            .ToList();
        return atStart is null || revisions.Any(r => r.InForceAtStart)
            ? revisions
            : [new PolicyRevisionUse(atStart, 0, null, null, InForceAtStart: true), .. revisions];
    }

    private static async Task<IReadOnlyList<ReportEvent>> EventsAsync(
        AuditDbContext db, ReportPeriod period, string[] kinds, CancellationToken cancellationToken) =>
        await db.Events.AsNoTracking()
            .Where(e => kinds.Contains(e.Kind) && e.Time >= period.From && e.Time < period.To)
            .OrderBy(e => e.Id)
            .Select(e => new ReportEvent(e.Id, e.Time, e.Kind, e.Actor, e.Subject, e.Summary, e.Evidence))
            .ToListAsync(cancellationToken);

    /// <summary>
    /// Each checksum database's state at <paramref name="asOf"/>, as <see cref="Verification.ChecksumDb.TrustedHeads"/>
    /// defines it: the trusted head is the largest tree recorded after the last reset; a fork is active until a reset follows it.
    /// </summary>
    private static async Task<IReadOnlyList<ChecksumDbStatus>> ChecksumDatabasesAsync(
        AuditDbContext db, ReportPeriod period, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var headDatabases = await db.ChecksumDbHeads.AsNoTracking().Where(h => h.VerifiedAt < asOf).Select(h => h.Database).Distinct().ToListAsync(cancellationToken);
        var eventDatabases = await db.Events.AsNoTracking()
            .Where(e => ChecksumDbEventKinds.Contains(e.Kind) && e.Time < asOf).Select(e => e.Subject).Distinct().ToListAsync(cancellationToken);
        var statuses = new List<ChecksumDbStatus>();
        foreach (var database in headDatabases.Union(eventDatabases, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var alarms = db.Events.AsNoTracking()
                .Where(e => e.Subject == database && e.Time < asOf && ChecksumDbEventKinds.Contains(e.Kind))
                .OrderByDescending(e => e.Id);
            var lastReset = await alarms.Where(e => e.Kind == AuditEventKinds.ChecksumDbHeadReset).Select(e => (DateTimeOffset?)e.Time).FirstOrDefaultAsync(cancellationToken);
            var lastAlarm = await alarms.Select(e => new ReportEvent(e.Id, e.Time, e.Kind, e.Actor, e.Subject, e.Summary, e.Evidence)).FirstOrDefaultAsync(cancellationToken);
            var heads = db.ChecksumDbHeads.AsNoTracking().Where(h => h.Database == database);
            var trusted = await heads
                .Where(h => h.VerifiedAt < asOf && (lastReset == null || h.VerifiedAt > lastReset))
                .OrderByDescending(h => h.TreeSize)
                .ThenByDescending(h => h.Id)
                .Select(h => new TrustedHeadView(h.TreeSize, h.TreeHash, h.VerifiedAt))
                .FirstOrDefaultAsync(cancellationToken);
            var verifiedInPeriod = await heads.CountAsync(h => h.VerifiedAt >= period.From && h.VerifiedAt < period.To, cancellationToken);
            statuses.Add(new ChecksumDbStatus(database, trusted, verifiedInPeriod, lastAlarm?.Kind == AuditEventKinds.ChecksumDbFork ? lastAlarm : null));
        }

        return statuses;
    }

    private static async Task<ConsumerSection> ConsumersAsync(AuditDbContext db, ReportPeriod period, CancellationToken cancellationToken)
    {
        var downloads = db.Downloads.AsNoTracking().Where(d => d.Time >= period.From && d.Time < period.To);
        var total = await downloads.SumAsync(d => (long)d.Count, cancellationToken);
        var clients = await downloads.Select(d => d.Client).Distinct().CountAsync(cancellationToken);
        var top = await downloads
            .GroupBy(d => d.Client)
            .Select(g => new { Client = g.Key, Downloads = g.Sum(d => (long)d.Count), ModuleVersions = g.Select(d => d.Module + "@" + d.Version).Distinct().Count(), Last = g.Max(d => d.LastTime ?? d.Time) })
            .OrderByDescending(c => c.Downloads).ThenBy(c => c.Client)
            .Take(TopConsumerCount)
            .ToListAsync(cancellationToken);
        return new ConsumerSection(total, clients, [.. top.Select(c => new Consumer(c.Client, c.Downloads, c.ModuleVersions, c.Last))]);
    }

    private static IQueryable<Decision> GatewayAdmissions(IQueryable<Decision> decisions) =>
        decisions.Where(d => d.Outcome == DecisionOutcome.Admitted && d.Actor == AdmissionService.GatewayActor);

    /// <summary>An outcome as the database stores it.</summary>
    private static string Name(DecisionOutcome outcome) => outcome.ToString().ToLowerInvariant();

    /// <summary>A recorded verdict: <see cref="PolicyVerdict"/>'s number (System.Text.Json's default) or its name.</summary>
    private static PolicyVerdict? Verdict(string recorded) =>
        int.TryParse(recorded, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? (PolicyVerdict)number
        : Enum.TryParse<PolicyVerdict>(recorded, ignoreCase: true, out var named) ? named
        : null;

    // Row shapes of the raw queries: their columns are these properties' snake_case names, as everywhere in the schema.
    private sealed record DailyRow(DateOnly Day, string Outcome, int Count);

    private sealed record RuleRow(string Rule, string Verdict, bool PolicyError, int Count);

    private sealed record LicenceRow(string? Spdx, bool NoFacts, string[] Modules);

    private sealed record DenialRow(string Reason, int Count, string Example);
}
