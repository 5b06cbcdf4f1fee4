using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Audit;

namespace SecureGateway.WebConsole.Pages;

/// <summary>One recorded decision in full: facts, rule results, evidence and its place in the hash chain.</summary>
public sealed class DecisionModel(DecisionLog decisions) : PageModel
{
    public DecisionDetail Detail { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        if (await decisions.FindAsync(id, cancellationToken) is not { } decision)
        {
            return NotFound($"no decision #{id}");
        }

        Detail = DecisionDetail.Of(decision);
        return Page();
    }
}
