using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Admin;
using SecureGateway.Audit;
using SecureGateway.Data.Events;

namespace SecureGateway.WebConsole.Pages;

/// <summary>The audit trail: the hash chains verified on demand, audit events with filters, and compliance reports.</summary>
public sealed class AuditModel(AuditChain chain, AuditEventLog events, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Kind { get; set; }

    [BindProperty(SupportsGet = true)] public string? From { get; set; }

    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    [BindProperty(SupportsGet = true)] public string? Before { get; set; }

    public ChainVerification? Verification { get; private set; }

    public IReadOnlyList<AuditEvent> Events { get; private set; } = [];

    public IReadOnlyList<string> Errors { get; private set; } = [];

    public string? NextPage { get; private set; }

    /// <summary>The default report period, the last 30 days, as dates for the report form.</summary>
    public (string From, string To) ReportPeriod { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>Walks every chain: a POST so that no link on another site can set a gateway reading its whole trail.</summary>
    [ConsoleAction(ConsolePolicies.Read)]
    public async Task OnPostVerifyAsync(CancellationToken cancellationToken)
    {
        Verification = await chain.VerifyAsync(cancellationToken);
        await LoadAsync(cancellationToken);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        ReportPeriod = ((now - Reports.ReportPeriod.DefaultLength).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            now.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var parameters = new AdminQueryParameters();
        var (start, end) = parameters.TimeRange(ConsoleQuery.Filter(From), ConsoleQuery.Filter(To));
        var page = parameters.Page(null, ConsoleQuery.Filter(Before));
        Errors = parameters.Errors;
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var fetched = await events.FindAsync(new AuditEventQuery(ConsoleQuery.Filter(Kind), page.Limit + 1) { From = start, To = end, Before = page.Before }, cancellationToken);
        Events = [.. page.Items(fetched)];
        NextPage = page.Next(fetched, e => e.Id) is { } next ? ConsoleQuery.OlderPage(Request, next) : null;
    }
}
