using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Ledger;
using SecureGateway.Modules;
using SecureGateway.Review;

namespace SecureGateway.WebConsole.Pages;

/// <summary>
/// One module for incident response: every version seen with its current decision, the full history, who pulled
/// which version, and revocation of a version or a range with the consumers it affects.
/// </summary>
public sealed class ModuleModel(DecisionLog decisions, DownloadConsumers consumers, Revocation revocation) : PageModel
{
    /// <summary>Decisions shown; the decisions page pages through more.</summary>
    public const int HistoryLimit = 500;

    [BindProperty(SupportsGet = true)]
    public string Path { get; set; } = "";

    /// <summary>Each version's current decision, newest decision first.</summary>
    public IReadOnlyList<Decision> Versions { get; private set; } = [];

    public IReadOnlyList<Decision> History { get; private set; } = [];

    public IReadOnlyList<Consumer> Consumers { get; private set; } = [];

    public RevocationResult? Revoked { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (ModulePath.CheckPath(Path) is { } invalid)
        {
            return BadRequest(invalid);
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    [ConsoleAction(ConsolePolicies.Review)]
    public async Task<IActionResult> OnPostRevokeAsync(
        [FromForm] string? version, [FromForm] string? range, [FromForm] string? justification, CancellationToken cancellationToken)
    {
        if (ModulePath.CheckPath(Path) is { } invalid)
        {
            return BadRequest(invalid);
        }

        Revoked = await revocation.RevokeAsync(
            Path, ConsoleQuery.Filter(version), ConsoleQuery.Filter(range),
            User.Identity?.Name ?? "unknown", justification, cancellationToken);
        if (Revoked.Status != ReviewStatus.Done)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        History = await decisions.FindAsync(new DecisionQuery(Path, null, null, HistoryLimit), cancellationToken);
        Versions = [.. History.DistinctBy(d => d.Version)];
        Consumers = await consumers.FindAsync(Path, null, cancellationToken);
    }
}
