using SecureGateway.Reports;
using static SecureGateway.Tests.Reports.ReportDatabase;

namespace SecureGateway.Tests.Reports;

/// <summary>The report over February checked against the decisions, events, heads and downloads <see cref="ReportDatabase"/> recorded.</summary>
public sealed class ComplianceReportBuilderTests(ReportDatabase database) : IClassFixture<ReportDatabase>
{
    private ComplianceReport Report => database.Report;

    [Fact]
    public void Build_PeriodEndedBeforeNow_StateIsAsOfItsEnd()
    {
        Assert.Equal(new ReportPeriod(From, To), Report.Period);
        Assert.Equal(Now, Report.GeneratedAt);
        Assert.Equal(To, Report.AsOf);
    }

    [Fact]
    public void Build_Outcomes_CountOnlyDecisionsInThePeriod()
    {
        // 6 admitted (3 by the gateway, 1 private, 2 releases, 1 without facts … see ReportDatabase), 6 denied, 5 quarantined.
        Assert.Equal(new OutcomeTotals(Decisions: 17, Admitted: 6, Denied: 6, Quarantined: 5, ModuleVersions: 14), Report.Outcomes);
        Assert.Equal(15, Report.Daily.Count);
        Assert.Equal(new DailyOutcomes("2026-02-02", 2, 0, 0), Report.Daily[0]);
        Assert.Equal(new DailyOutcomes("2026-02-05", 0, 2, 0), Report.Daily.Single(d => d.Day == "2026-02-05"));
        Assert.Equal(new DailyOutcomes("2026-02-17", 1, 0, 0), Report.Daily[^1]);
        Assert.Equal(Report.Outcomes.Decisions, Report.Daily.Sum(d => d.Admitted + d.Denied + d.Quarantined));
    }

    [Fact]
    public void Build_Rules_CountEvaluationsNotReviews()
    {
        Assert.Equal(
            [
                new RuleTotals("licence", Denied: 2, Quarantined: 3, Admitted: 7, NoOpinion: 0, PolicyErrors: 0),
                new RuleTotals("vulnerabilities", 2, 0, 0, 0, 0),
                new RuleTotals("age", 0, 1, 5, 0, 0),
                new RuleTotals("repository", 0, 0, 0, 0, PolicyErrors: 1),
            ],
            Report.Rules);
    }

    [Fact]
    public void Build_Licences_OfVersionsAdmittedAtTheEnd()
    {
        Assert.Equal(
            [
                ("Apache-2.0", 2, "corp.example.com/private@v0.1.0,example.com/apache@v1.2.0"),
                ("MIT", 2, "example.com/apache@v1.2.0,example.com/mit@v1.0.0"),
                (ComplianceReportBuilder.NoFacts, 1, "example.com/nofacts@v1.0.0"),
                (ComplianceReportBuilder.NoLicence, 1, "example.com/unlicensed@v1.0.0"),
                ("unknown", 1, "example.com/waived@v1.0.0"),
            ],
            Report.Licences.Select(l => (l.Spdx, l.Count, string.Join(',', l.Modules))));
    }

    [Fact]
    public void Build_OpenQuarantine_LatestDecisionQuarantinedAtTheEnd_WithAge()
    {
        Assert.Collection(Report.OpenQuarantine,
            young =>
            {
                Assert.Equal(("example.com/young", "v0.9.0", At(2, 8, 9)), (young.Module, young.Version, young.Since));
                Assert.InRange(young.AgeDays, 20.62, 20.63);
                Assert.Equal(["age: published 2.1 days ago (module index) — younger than 7 days"], young.Reasons);
            },
            broken =>
            {
                Assert.Equal(("example.com/broken-rule", 20.0), (broken.Module, broken.AgeDays));
                Assert.StartsWith("repository: policy error in repository.js", broken.Reasons[0], StringComparison.Ordinal);
            });
    }

    [Fact]
    public void Build_Releases_ByReviewersInThePeriod_WithExpiry()
    {
        Assert.Equal(
            [
                ("example.com/unlicensed", "alice", AliceJustification, (DateTimeOffset?)At(6, 1), false),
                ("example.com/waived", "bob", "vendored fork, licence checked by hand", At(2, 20), true),
            ],
            Report.Releases.Select(r => (r.Module, r.Reviewer, r.Justification, r.ExpiresAt, r.Expired)));
    }

    [Fact]
    public void Build_Denials_GroupedByTheTextBeforeTheFirstReasonsColon()
    {
        Assert.Equal(
            [("licence", 2), ("vulnerabilities", 2), ("denied after review by carol", 1), ("zip rule", 1)],
            Report.Denials.Select(d => (d.Reason, d.Count)));
        Assert.Equal(BrokenZipReason, Report.Denials.Single(d => d.Reason == "zip rule").Example);
    }

    [Fact]
    public void Build_Policy_RevisionsThatDecidedAndTheOneInForceAtTheStart_WithBundleEvents()
    {
        Assert.Equal(
            [
                new PolicyRevisionUse("rev-a", 0, null, null, InForceAtStart: true),
                new PolicyRevisionUse("rev-b", 7, At(2, 2, 10), At(2, 7), false),
                new PolicyRevisionUse("rev-c", 5, At(2, 8, 9), At(2, 16), false),
            ],
            Report.Policy.Revisions);
        Assert.Equal(
            [("policy-bundle-loaded", At(2, 1, 10)), ("policy-bundle-refused", At(2, 7, 12)), ("policy-bundle-loaded", At(2, 7, 18))],
            Report.Policy.Events.Select(e => (e.Kind, e.Time)));
        Assert.Equal("denylist.txt: line 4: bad version constraint", Report.Policy.Events[1].Evidence);
    }

    [Fact]
    public void Build_ChecksumDb_TrustedHeadAfterLastResetAndActiveForks()
    {
        var sumdb = Report.ChecksumDb;
        Assert.Equal((3, 1), (sumdb.AdmissionsVerified, sumdb.AdmissionsNotVerified));
        Assert.Collection(sumdb.Databases,
            example =>
            {
                Assert.Equal(("sum.example.com", 50L, 1), (example.Database, example.TrustedHead!.TreeSize, example.HeadsVerifiedInPeriod));
                Assert.Equal(At(2, 20), example.ActiveFork!.Time);
            },
            golang =>
            {
                Assert.Equal(("sum.golang.org", new TrustedHeadView(310, "hash-310=", At(2, 13)), 3), (golang.Database, golang.TrustedHead, golang.HeadsVerifiedInPeriod));
                Assert.Null(golang.ActiveFork);
            });
        Assert.Equal(
            [("sumdb-fork", "sum.golang.org"), ("sumdb-head-reset", "sum.golang.org"), ("sumdb-fork", "sum.example.com")],
            sumdb.Events.Select(e => (e.Kind, e.Subject)));
    }

    [Fact]
    public async Task Build_ChecksumDb_AsOfDuringTheFork_AlarmActiveAndHeadBeforeIt()
    {
        var report = await database.Builder(now: At(2, 11, 12)).BuildAsync(new ReportPeriod(From, To), CancellationToken.None);

        var golang = report.ChecksumDb.Databases.Single(d => d.Database == "sum.golang.org");
        Assert.Equal(At(2, 11, 12), report.AsOf);
        Assert.Equal(300, golang.TrustedHead!.TreeSize);
        Assert.Equal("sumdb-fork", golang.ActiveFork!.Kind);
    }

    [Fact]
    public void Build_Consumers_TopTenOfThePeriod()
    {
        var consumers = Report.Consumers;
        Assert.Equal((92, 13), (consumers.Downloads, consumers.Clients));
        Assert.Equal(
            ["ci@example.com", HostileClient, MarkupClient, "client-10", "client-09", "client-08", "client-07", "client-06", "client-05", "client-04"],
            consumers.Top.Select(c => c.Client));
        Assert.Equal(new Consumer("ci@example.com", 14, 2, At(2, 3, 1)), consumers.Top[0]);
    }

    [Fact]
    public async Task Build_EmptyPeriod_EverySectionEmptyButTheState()
    {
        var report = await database.Builder().BuildAsync(new ReportPeriod(At(4, 1), At(4, 2)), CancellationToken.None);

        Assert.Equal(new OutcomeTotals(0, 0, 0, 0, 0), report.Outcomes);
        Assert.Empty(report.Daily);
        Assert.Empty(report.Rules);
        Assert.Empty(report.Releases);
        Assert.Empty(report.Denials);
        Assert.Equal(0, report.Consumers.Downloads);
        Assert.Equal(Now, report.AsOf);
        Assert.Equal("rev-c", Assert.Single(report.Policy.Revisions).Revision);
        Assert.DoesNotContain(report.OpenQuarantine, q => q.Module == "example.com/young");
        Assert.Contains(report.Licences, l => l.Modules.Contains("example.com/late@v1.0.0"));
    }
}
