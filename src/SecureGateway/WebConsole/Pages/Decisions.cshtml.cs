using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Admin;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;

namespace SecureGateway.WebConsole.Pages;

/// <summary>Decisions newest first with the filters and paging of <c>GET /admin/decisions</c>.</summary>
public sealed class DecisionsModel(DecisionLog decisions) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Module { get; set; }

    [BindProperty(SupportsGet = true)] public string? Version { get; set; }

    [BindProperty(SupportsGet = true)] public string? Outcome { get; set; }

    [BindProperty(SupportsGet = true)] public string? Rule { get; set; }

    [BindProperty(SupportsGet = true)] public string? Actor { get; set; }

    [BindProperty(SupportsGet = true)] public string? From { get; set; }

    [BindProperty(SupportsGet = true)] public string? To { get; set; }

    [BindProperty(SupportsGet = true)] public string? Limit { get; set; }

    [BindProperty(SupportsGet = true)] public string? Before { get; set; }

    public IReadOnlyList<Decision> Items { get; private set; } = [];

    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>The address of the next (older) page, or null on the last.</summary>
    public string? NextPage { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var parameters = new AdminQueryParameters();
        var (query, page) = AdminEndpoints.DecisionFilter(
            parameters, ConsoleQuery.Filter(Module), ConsoleQuery.Filter(Version), ConsoleQuery.Filter(Outcome), ConsoleQuery.Filter(Rule), ConsoleQuery.Filter(Actor), ConsoleQuery.Filter(From), ConsoleQuery.Filter(To), ConsoleQuery.Filter(Limit), ConsoleQuery.Filter(Before));
        Errors = parameters.Errors;
        if (Errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var fetched = await decisions.FindAsync(query, cancellationToken);
        Items = [.. page.Items(fetched)];
        NextPage = page.Next(fetched, d => d.Id) is { } next ? ConsoleQuery.OlderPage(Request, next) : null;
    }
}
