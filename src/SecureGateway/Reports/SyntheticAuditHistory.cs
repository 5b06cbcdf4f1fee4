using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Review;
using SecureGateway.Admission;
using SecureGateway.Data;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Ledger;
using SecureGateway.Policy;

namespace SecureGateway.Reports;

/// <summary>
/// A busy gateway's audit history for <see cref="ReportBenchmark"/>: decisions spread evenly over a period, shaped like
/// the gateway's own (facts, rule results, checksum-DB evidence), with every section of the report populated — denials
/// by licence and by vulnerability, quarantines of which some are released (some as waivers) or denied by a reviewer,
/// policy revisions changing, checksum-DB heads advancing, and as many downloads as decisions spread over many clients.
/// </summary>
internal sealed class SyntheticAuditHistory(IDbContextFactory<AuditDbContext> contexts, LedgerDatabase ledger, ReportPeriod period, int decisions)
{
    private const int BatchSize = 2_000;
    private const int ModuleCount = 1_500;
    private const int ClientCount = 300;
    private const int PolicyRevisions = 8;
    private static readonly string[] Licences = ["MIT", "Apache-2.0", "BSD-3-Clause", "MIT", "ISC", "Apache-2.0", "MPL-2.0", "BSD-2-Clause", "GPL-3.0-only", ""];
    private static readonly string[] Reviewers = ["alice", "bob", "carol"];

    /// <summary>Writes the history; <paramref name="progress"/> is told how many decisions are in so far.</summary>
    public async Task SeedAsync(Action<int> progress, CancellationToken cancellationToken)
    {
        await SeedEventsAsync(cancellationToken);
        var (written, next) = (0, 0);
        while (written < decisions)
        {
            var first = next;
            List<Decision> batch = [];
            while (batch.Count < BatchSize && written + batch.Count < decisions)
            {
                batch.AddRange(Decide(next++).Take(decisions - written - batch.Count));
            }

            await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
            {
                db.Decisions.AddRange(batch);
                written += await db.SaveChangesAsync(cancellationToken);
            }

            await ledger.WriteAsync([.. Enumerable.Range(first, next - first).Select(Download)], cancellationToken);
            progress(written);
        }
    }

    private DateTimeOffset TimeOf(int index) => period.From + (period.To - period.From) * (index + 0.5) / decisions;

    private string Revision(int index) => $"rev-{index * PolicyRevisions / decisions:00}";

    /// <summary>The evaluation of one new version and, for some quarantined ones, a reviewer's act an hour later (rows stay in time order within a batch).</summary>
    private IEnumerable<Decision> Decide(int index)
    {
        var time = TimeOf(index);
        var (module, version) = ModuleVersion(index);
        var licence = Licences[index % Licences.Length];
        var revision = Revision(index);
        if (licence.Length == 0)
        {
            var quarantined = Evaluated(time, module, version, DecisionOutcome.Quarantined, revision, licence,
                new RuleResult("licence", PolicyVerdict.Quarantine, "no licence file found: needs review"));
            yield return quarantined;
            if (index % 3 == 0)
            {
                yield return Reviewed(quarantined, time.AddHours(1), DecisionOutcome.Admitted, index, expires: index % 2 == 0 ? time.AddDays(30) : null);
            }
            else if (index % 5 == 1)
            {
                yield return Reviewed(quarantined, time.AddHours(1), DecisionOutcome.Denied, index, expires: null);
            }

            yield break;
        }

        if (licence.StartsWith("GPL", StringComparison.Ordinal))
        {
            yield return Evaluated(time, module, version, DecisionOutcome.Denied, revision, licence,
                new RuleResult("licence", PolicyVerdict.Deny, $"licence {licence} (LICENSE) is not allowed"));
        }
        else if (index % 97 == 0)
        {
            yield return Evaluated(time, module, version, DecisionOutcome.Denied, revision, licence,
                new RuleResult("vulnerabilities", PolicyVerdict.Deny, $"GO-2026-{index % 400:0000}: affected, fixed in v9.9.9"));
        }
        else
        {
            yield return Evaluated(time, module, version, DecisionOutcome.Admitted, revision, licence,
                new RuleResult("licence", PolicyVerdict.Admit, $"licence {licence} (LICENSE)"));
        }
    }

    private static (string Module, string Version) ModuleVersion(int index) =>
        ($"github.com/org{index % ModuleCount % 150:000}/lib{index % ModuleCount:0000}", $"v1.{index / ModuleCount}.0");

    private static Decision Evaluated(
        DateTimeOffset time, string module, string version, DecisionOutcome outcome, string revision, string licence, RuleResult rule)
    {
        var treeSize = 40_000_000 + (long)(time - DateTimeOffset.UnixEpoch).TotalMinutes % 1_000_000;
        return new Decision
        {
            Time = time,
            Module = module,
            Version = version,
            Outcome = outcome,
            Reasons = outcome == DecisionOutcome.Admitted
                ? ["verified: zip rules, info and go.mod", "checksum DB sum.golang.org", $"policy {revision}: admitted"]
                : [$"{rule.Rule}: {rule.Reason}"],
            ZipHash = "h1:Qmd5eQw8b+Fy3wVVdf1LvV5mWkEqEsrGgqLgUUgqRSI=",
            GoModHash = "h1:3jAFnR8pj3O8b+HiIm5WRRz8e0n5VjDOxwTGDsXkNqU=",
            ZipSize = 48_213,
            GoModSize = 112,
            FileCount = 23,
            Upstream = "https://proxy.golang.org",
            ChecksumDb = "sum.golang.org",
            ChecksumDbTreeSize = treeSize,
            ChecksumDbTreeHash = "n3x9IDe6a9TXHjSr3S4D4I1b0ZrR1m6YSbOaLQpvlVs=",
            ChecksumDbRecordId = treeSize - 1_000,
            PolicyRevision = revision,
            Facts = PolicyJson.Serialize(ModuleFacts.Example(time) with
            {
                Module = ModuleFacts.Identify(module, version),
                Licences = licence.Length == 0 ? [] : [new DetectedLicence(licence, "LICENSE", 0.98) { Terms = [licence] }],
                LicenceExpression = licence.Length == 0 ? null : licence,
                LicenceTerms = licence.Length == 0 ? [] : [licence],
            }),
            RuleResults = JsonSerializer.Serialize<RuleResult[]>([rule, new("age", PolicyVerdict.Admit, null), new("denylist", PolicyVerdict.Admit, null)], PolicyJson.Options),
            Actor = "gateway",
        };
    }

    /// <summary>A reviewer's act, recorded exactly as <see cref="QuarantineReview"/> records it.</summary>
    private static Decision Reviewed(Decision quarantined, DateTimeOffset time, DecisionOutcome outcome, int index, DateTimeOffset? expires)
    {
        var reviewer = Reviewers[index % Reviewers.Length];
        return outcome == DecisionOutcome.Admitted
            ? QuarantineReview.Release(quarantined, reviewer, $"licence checked by legal, ticket LEGAL-{index}", expires, time)
            : QuarantineReview.Denial(quarantined, reviewer, $"no licence; vendor declined, ticket LEGAL-{index}", time);
    }

    private LedgerEntry Download(int index)
    {
        var (module, version) = ModuleVersion(index / 2);
        var kind = index % 3 == 0 ? "mod" : "zip";
        return LedgerEntry.Create(TimeOf(index), module, version, kind, $"10.20.{index % ClientCount / 250}.{index % ClientCount % 250}", "Go-http-client/1.1");
    }

    private async Task SeedEventsAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        for (var revision = 0; revision < PolicyRevisions; revision++)
        {
            var time = TimeOf(revision * decisions / PolicyRevisions) - TimeSpan.FromMinutes(1);
            db.Events.Add(Event(time, AuditEventKinds.PolicyBundleLoaded, "/policies", $"policy bundle rev-{revision:00} live"));
            db.ChecksumDbHeads.Add(new ChecksumDbHead
            {
                VerifiedAt = time, Database = "sum.golang.org", TreeSize = 40_000_000 + revision, TreeHash = $"hash-{revision}=",
                Note = $"go.sum database tree\n{40_000_000 + revision}\nhash-{revision}=\n",
            });
        }

        db.Events.Add(Event(TimeOf(decisions / 2), AuditEventKinds.PolicyBundleRefused, "/policies", "policy bundle refused, rev-03 stays live"));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static AuditEvent Event(DateTimeOffset time, string kind, string subject, string summary) =>
        new() { Time = time, Kind = kind, Actor = "gateway", Subject = subject, Summary = summary };
}
