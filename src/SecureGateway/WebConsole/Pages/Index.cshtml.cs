using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Audit;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Facts;
using SecureGateway.Policy;
using SecureGateway.Reports;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.WebConsole.Pages;

/// <summary>The overview: what needs attention now and how the last 30 days went.</summary>
public sealed class IndexModel(
    CurrentDecisions current, ComplianceReportBuilder reports, LivePolicy policy, AuditEventLog events, FactFreshness freshness,
    AuditCheckpoints checkpoints, TrustedHeads heads, SumDbSettings sumdb, TimeProvider time) : PageModel
{
    public int QuarantineSize { get; private set; }

    public Decision? OldestQuarantined { get; private set; }

    public ComplianceReport Report { get; private set; } = null!;

    public string OutcomeChart { get; private set; } = "";

    public string? DenialChart { get; private set; }

    public string? LiveRevision => policy.Current?.Revision;

    public string? PolicyProblem => policy.Problem;

    public AuditEvent? LastRefusedBundle { get; private set; }

    public DataFreshness Freshness { get; private set; } = null!;

    public IReadOnlyList<ChainHead> Chains { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    /// <summary>The configured checksum database, or null when verification against one is off.</summary>
    public string? ChecksumDb => sumdb.Disabled ? null : sumdb.Name;

    /// <summary>The fork that stops admissions, while no operator has reset the head after it.</summary>
    public AuditEvent? ActiveFork { get; private set; }

    public ChecksumDbHead? TrustedHead { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        var quarantined = await current.WithOutcomeAsync(DecisionOutcome.Quarantined, null, null, cancellationToken);
        QuarantineSize = quarantined.Count;
        OldestQuarantined = quarantined.Count == 0 ? null : quarantined[0];
        Report = await reports.BuildAsync(new ReportPeriod(Now - ReportPeriod.DefaultLength, Now), cancellationToken);
        OutcomeChart = HtmlReport.OutcomeChart(Report).Svg;
        DenialChart = Report.Denials.Count == 0 ? null : HtmlReport.DenialChart(Report);
        var refused = await events.FindAsync(new AuditEventQuery(AuditEventKinds.PolicyBundleRefused, 1), cancellationToken);
        LastRefusedBundle = refused.Count == 0 ? null : refused[0];
        Freshness = await freshness.CurrentAsync(cancellationToken);
        Chains = await checkpoints.HeadsAsync(cancellationToken);
        if (ChecksumDb is { } database)
        {
            (var fork, TrustedHead, _) = await heads.StateAsync(database, cancellationToken);
            ActiveFork = fork is null ? null : await heads.ActiveForkAsync(database, cancellationToken);
        }
    }
}
