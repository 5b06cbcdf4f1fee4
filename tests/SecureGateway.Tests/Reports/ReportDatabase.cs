using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Data;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Ledger;
using SecureGateway.Policy;
using SecureGateway.Reports;
using SecureGateway.Tests.Facts;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Reports;

/// <summary>
/// A migrated audit database holding one month of the security team's life (February 2026), with history before it
/// and acts after it, and the report over February built at 1 March 12:00. Every figure the tests expect is derived
/// here, next to the rows that produce it.
/// </summary>
public sealed class ReportDatabase : IAsyncLifetime
{
    public static readonly DateTimeOffset From = At(2, 1);
    public static readonly DateTimeOffset To = At(3, 1);
    public static readonly DateTimeOffset Now = At(3, 1, 12);

    public const string BrokenZipReason = "zip rule: file \"a,b\".go: invalid file name";
    public const string AliceJustification = "internal tool; licence agreed with \"legal\", see <TICKET-1>";
    public const string HostileClient = "=cmd|' /C calc'!A0";
    public const string MarkupClient = "<b>mallory</b>";

    private ServiceProvider provider = null!;

    public string ConnectionString { get; private set; } = "";

    public IDbContextFactory<AuditDbContext> Contexts => provider.GetRequiredService<IDbContextFactory<AuditDbContext>>();

    /// <summary>The report over February, as of 1 March 00:00 (the end of the period; generated at noon).</summary>
    public ComplianceReport Report { get; private set; } = null!;

    public ComplianceReportBuilder Builder(DateTimeOffset? now = null) => new(Contexts, new ManualTimeProvider(now ?? Now));

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync();
        provider = CreateProvider(ConnectionString);
        await using (var db = await Contexts.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();

            // The seeded history is dated in the past; in a real store the database stamps each head's time.
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE checksum_db_heads DISABLE TRIGGER checksum_db_heads_at_now");
            await SeedAsync(db, ConnectionString);
        }

        Report = await Builder().BuildAsync(new ReportPeriod(From, To), CancellationToken.None);
    }

    public Task DisposeAsync() => provider.DisposeAsync().AsTask();

    internal static ServiceProvider CreateProvider(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddDbContextFactory<AuditDbContext>(options => options.UseAuditDatabase(connectionString));
        return services.BuildServiceProvider();
    }

    internal static DateTimeOffset At(int month, int day, int hour = 0, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private static async Task SeedAsync(AuditDbContext db, string connectionString)
    {
        // Rows are inserted in time order, as the gateway appends them: the latest decision is the one with the highest id.
        db.Decisions.AddRange(
            // January: before the period. rev-a is in force when February begins; old@v1.0.0 is admitted until re-evaluated.
            Evaluated(At(1, 10), "example.com/old", "v1.0.0", DecisionOutcome.Admitted, "rev-a", ["MIT"], [Rule("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)")]),
            Evaluated(At(1, 20), "example.com/gpl", "v1.0.0", DecisionOutcome.Denied, "rev-a", ["GPL-3.0-only"],
                [Rule("licence", PolicyVerdict.Deny, "licence GPL-3.0-only (LICENSE) is not allowed")]),

            // February, rev-b: three admissions (one of a private module, not in the checksum DB), three policy denials, one verification denial.
            Evaluated(At(2, 2, 10), "example.com/mit", "v1.0.0", DecisionOutcome.Admitted, "rev-b", ["MIT"],
                [Rule("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)"), Rule("age", PolicyVerdict.Admit, "published 400.0 days ago (module index)")]),
            Evaluated(At(2, 2, 11), "example.com/apache", "v1.2.0", DecisionOutcome.Admitted, "rev-b", ["Apache-2.0", "MIT", "MIT"],
                [Rule("licence", PolicyVerdict.Admit, "licence Apache-2.0 (LICENSE)"), Rule("age", PolicyVerdict.Admit, "published 90.0 days ago (module index)")]),
            Evaluated(At(2, 3), "corp.example.com/private", "v0.1.0", DecisionOutcome.Admitted, "rev-b", ["Apache-2.0"],
                [Rule("licence", PolicyVerdict.Admit, "licence Apache-2.0 (LICENSE)"), Rule("age", PolicyVerdict.Admit, "published 30.0 days ago (module index)")],
                checksumDb: null),
            Evaluated(At(2, 4), "example.com/gpl", "v2.0.0", DecisionOutcome.Denied, "rev-b", ["GPL-3.0-only"],
                [Rule("licence", PolicyVerdict.Deny, "licence GPL-3.0-only (LICENSE) is not allowed"), Rule("age", PolicyVerdict.Admit, "published 50.0 days ago (module index)")]),
            Evaluated(At(2, 5, 9), "example.com/vuln", "v1.0.0", DecisionOutcome.Denied, "rev-b", ["MIT"],
                [Rule("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)"), Rule("vulnerabilities", PolicyVerdict.Deny, "known vulnerability GO-2026-0001 (fixed in v1.0.1)")]),
            Evaluated(At(2, 5, 10), "example.com/agpl", "v1.0.0", DecisionOutcome.Denied, "rev-b", ["AGPL-3.0-only"],
                [Rule("licence", PolicyVerdict.Deny, "licence AGPL-3.0-only (LICENSE) is not allowed")]),
            new Decision
            {
                Time = At(2, 6), Module = "example.com/broken", Version = "v1.0.0", Outcome = DecisionOutcome.Denied,
                Reasons = [BrokenZipReason, "zip rule: go.mod does not match the module's .mod file"], Actor = "gateway",
            },
            Evaluated(At(2, 7), "example.com/unlicensed", "v1.0.0", DecisionOutcome.Quarantined, "rev-b", [],
                [Rule("licence", PolicyVerdict.Quarantine, "no licence file found"), Rule("age", PolicyVerdict.Admit, "published 80.0 days ago (module index)")]),

            // rev-c from 8 February: two quarantines that stay open at the end of the period (one is released on 1 March, after it).
            Evaluated(At(2, 8, 9), "example.com/young", "v0.9.0", DecisionOutcome.Quarantined, "rev-c", ["MIT"],
                [Rule("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)"), Rule("age", PolicyVerdict.Quarantine, "published 2.1 days ago (module index) — younger than 7 days")]),
            Evaluated(At(2, 9), "example.com/broken-rule", "v1.0.0", DecisionOutcome.Quarantined, "rev-c", ["MIT"],
                [Rule("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)"), Rule("repository", PolicyVerdict.Quarantine, "policy error in repository.js: boom (line 3)")],
                extraReasons: ["repository: facts were unavailable, retried at 2026-02-09T00:05Z"]),

            // Reviews: alice releases unlicensed as a waiver until June; bob releases waived until 20 February (lapsed by the end); carol denies.
            Reviewed(At(2, 10), "example.com/unlicensed", "v1.0.0", DecisionOutcome.Admitted, "alice", AliceJustification, At(6, 1), "rev-b", []),
            Evaluated(At(2, 12), "example.com/waived", "v1.0.0", DecisionOutcome.Quarantined, "rev-c", ["unknown"],
                [Rule("licence", PolicyVerdict.Quarantine, "unrecognised licence in COPYING")]),
            Reviewed(At(2, 13), "example.com/waived", "v1.0.0", DecisionOutcome.Admitted, "bob", "vendored fork, licence checked by hand", At(2, 20), "rev-c", ["unknown"]),
            Evaluated(At(2, 14), "example.com/reviewed", "v1.0.0", DecisionOutcome.Quarantined, "rev-c", ["LGPL-2.1-only"],
                [Rule("licence", PolicyVerdict.Quarantine, "licence LGPL-2.1-only (COPYING.LESSER) neither allowed nor denied: needs review")]),
            Reviewed(At(2, 15), "example.com/reviewed", "v1.0.0", DecisionOutcome.Denied, "carol", "abandoned", null, "rev-c", ["LGPL-2.1-only"]),

            // A re-evaluation takes old@v1.0.0 back; an admission with no policy run (no facts).
            Evaluated(At(2, 16), "example.com/old", "v1.0.0", DecisionOutcome.Denied, "rev-c", ["MIT"],
                [Rule("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)"), Rule("vulnerabilities", PolicyVerdict.Deny, "known vulnerability GO-2026-0002 (no fixed version)")],
                actor: "admin (re-evaluation)", extraReasons: ["already pulled by: ci@example.com"]),
            new Decision
            {
                Time = At(2, 17), Module = "example.com/nofacts", Version = "v1.0.0", Outcome = DecisionOutcome.Admitted,
                Reasons = ["verified: zip rules, info and go.mod"], ChecksumDb = "sum.golang.org", Actor = "gateway",
            },

            // After the period: neither counted nor part of the state at its end.
            Evaluated(At(3, 1, 6), "example.com/late", "v1.0.0", DecisionOutcome.Admitted, "rev-c", ["MIT"], [Rule("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)")]),
            Reviewed(At(3, 1, 7), "example.com/young", "v0.9.0", DecisionOutcome.Admitted, "alice", "after the period", null, "rev-c", ["MIT"]));

        db.Events.AddRange(
            Event(At(1, 5), AuditEventKinds.PolicyBundleLoaded, "/policies", "policy bundle rev-a live"),
            Event(At(2, 1, 10), AuditEventKinds.PolicyBundleLoaded, "/policies", "policy bundle rev-b live (rules: age, licence; previous rev-a)"),
            Event(At(2, 7, 12), AuditEventKinds.PolicyBundleRefused, "/policies", "policy bundle refused, rev-b stays live", "denylist.txt: line 4: bad version constraint"),
            Event(At(2, 7, 18), AuditEventKinds.PolicyBundleLoaded, "/policies", "policy bundle rev-c live (previous rev-b)"),
            Event(At(2, 11), AuditEventKinds.ChecksumDbFork, "sum.golang.org", "checksum DB sum.golang.org presented tree 290 hash X, inconsistent with trusted tree 300 hash Y",
                "trusted signed head:\ngo.sum database tree\n300\n"),
            Event(At(2, 12), AuditEventKinds.ChecksumDbHeadReset, "sum.golang.org", "trusted head of checksum DB sum.golang.org discarded", actor: "root@gateway (cli)"),
            Event(At(2, 18), AuditEventKinds.TokenCreated, "carol", "token carol created with role reviewer", actor: "admin"),
            Event(At(2, 20), AuditEventKinds.ChecksumDbFork, "sum.example.com", "checksum DB sum.example.com presented tree 40 hash Z, inconsistent with trusted tree 50 hash W"));

        db.ChecksumDbHeads.AddRange(
            Head(At(1, 5), "sum.golang.org", 100),
            Head(At(2, 3), "sum.golang.org", 200),
            Head(At(2, 5), "sum.example.com", 50),
            Head(At(2, 10), "sum.golang.org", 300),
            Head(At(2, 13), "sum.golang.org", 310),
            Head(At(3, 1, 6), "sum.golang.org", 400));

        await db.SaveChangesAsync();

        // Thirteen clients pull in February: ci 14 times, the two hostile names 12 and 11 times, client-NN NN times.
        // Top ten: ci, the hostile names, client-10 … client-04. ci also pulled in January (not counted).
        List<LedgerEntry> downloads = [];
        downloads.Add(Download(At(1, 31), "ci@example.com", "example.com/old", "v1.0.0"));
        for (var i = 0; i < 14; i++)
        {
            downloads.Add(Download(At(2, 2, 12).AddHours(i), "ci@example.com", i % 2 == 0 ? "example.com/mit" : "example.com/apache", i % 2 == 0 ? "v1.0.0" : "v1.2.0"));
        }

        for (var client = 1; client <= 10; client++)
        {
            for (var i = 0; i < client; i++)
            {
                downloads.Add(Download(At(2, 20).AddMinutes(i), $"client-{client:00}", "example.com/mit", "v1.0.0"));
            }
        }

        for (var i = 0; i < 12; i++)
        {
            downloads.Add(Download(At(2, 21).AddMinutes(i), HostileClient, "example.com/mit", "v1.0.0"));
            if (i < 11)
            {
                downloads.Add(Download(At(2, 22).AddMinutes(i), MarkupClient, "example.com/mit", "v1.0.0"));
            }
        }

        await new LedgerDatabase(() => connectionString).WriteAsync(downloads, CancellationToken.None);
    }

    private static RuleResult Rule(string rule, PolicyVerdict verdict, string reason) => new(rule, verdict, reason);

    /// <summary>A decision as the gateway (or a re-evaluation) records it: reasons from the winning rules, facts and every rule's result.</summary>
    private static Decision Evaluated(
        DateTimeOffset time, string module, string version, DecisionOutcome outcome, string revision, string[] licences, RuleResult[] rules,
        string? checksumDb = "sum.golang.org", string actor = "gateway", string[]? extraReasons = null)
    {
        var verdict = new PolicyDecision(PolicyDecision.Strictest(rules.Select(r => r.Verdict)), rules, revision);
        IEnumerable<string> reasons = outcome == DecisionOutcome.Admitted
            ? ["verified: zip rules, info and go.mod", $"checksum DB {checksumDb}", $"policy {revision}: admitted"]
            : verdict.Reasons;
        return new Decision
        {
            Time = time,
            Module = module,
            Version = version,
            Outcome = outcome,
            Reasons = [.. reasons, .. extraReasons ?? []],
            ChecksumDb = checksumDb,
            ChecksumDbTreeSize = checksumDb is null ? null : 200,
            PolicyRevision = revision,
            Facts = FactsJson(time, module, version, licences),
            RuleResults = JsonSerializer.Serialize(rules, PolicyJson.Options),
            Actor = actor,
        };
    }

    /// <summary>A reviewer's act: the quarantined decision's evidence carried forward, with the reviewer's justification.</summary>
    private static Decision Reviewed(
        DateTimeOffset time, string module, string version, DecisionOutcome outcome, string reviewer, string justification,
        DateTimeOffset? expires, string revision, string[] licences) => new()
    {
        Time = time,
        Module = module,
        Version = version,
        Outcome = outcome,
        Reasons = [outcome == DecisionOutcome.Admitted
            ? $"released from quarantine by {reviewer}: {justification}"
            : $"denied after review by {reviewer}: {justification}", "was quarantined: licence: needs review"],
        PolicyRevision = revision,
        Facts = FactsJson(time, module, version, licences),
        RuleResults = JsonSerializer.Serialize(new[] { Rule("licence", PolicyVerdict.Quarantine, "needs review") }, PolicyJson.Options),
        Justification = justification,
        ExpiresAt = expires,
        Actor = reviewer,
    };

    private static string FactsJson(DateTimeOffset now, string module, string version, string[] licences) =>
        PolicyJson.Serialize(ModuleFacts.Example(now) with
        {
            Module = ModuleFacts.Identify(module, version),
            Licences = [.. licences.Select((spdx, i) => new DetectedLicence(spdx, i == 0 ? "LICENSE" : $"third_party/{i}/LICENSE", 0.98))],
        });

    private static AuditEvent Event(DateTimeOffset time, string kind, string subject, string summary, string? evidence = null, string actor = "gateway") =>
        new() { Time = time, Kind = kind, Actor = actor, Subject = subject, Summary = summary, Evidence = evidence };

    private static ChecksumDbHead Head(DateTimeOffset verifiedAt, string database, long size) => new()
    {
        VerifiedAt = verifiedAt, Database = database, TreeSize = size, TreeHash = $"hash-{size}=", Note = $"go.sum database tree\n{size}\nhash-{size}=\n",
    };

    private static LedgerEntry Download(DateTimeOffset time, string client, string module, string version) =>
        LedgerEntry.Create(time, module, version, "zip", client, "Go-http-client/1.1");
}
