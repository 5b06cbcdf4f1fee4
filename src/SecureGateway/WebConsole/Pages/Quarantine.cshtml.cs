using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;

namespace SecureGateway.WebConsole.Pages;

/// <summary>Versions held for review, oldest first, as <c>GET /admin/quarantine</c> lists them.</summary>
public sealed class QuarantineModel(CurrentDecisions current, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Module { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Rule { get; set; }

    public IReadOnlyList<Decision> Items { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Now = time.GetUtcNow();
        Items = await current.WithOutcomeAsync(
            DecisionOutcome.Quarantined, ConsoleQuery.Filter(Module), ConsoleQuery.Filter(Rule), cancellationToken);
    }
}
