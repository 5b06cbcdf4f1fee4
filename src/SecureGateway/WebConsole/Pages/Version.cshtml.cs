using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Ledger;
using SecureGateway.Modules;
using SecureGateway.Review;

namespace SecureGateway.WebConsole.Pages;

/// <summary>
/// One module version: its current decision with facts, rule results and evidence, its history and who pulled it; a
/// reviewer releases or denies it here when it is quarantined, or revokes it.
/// </summary>
public sealed class VersionModel(DecisionLog decisions, DownloadConsumers consumers, QuarantineReview review, Revocation revocation) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string Module { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Version { get; set; } = "";

    /// <summary>What was just done (after the redirect that follows an act), shown above the decision.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public DecisionDetail? Current { get; private set; }

    public IReadOnlyList<Decision> History { get; private set; } = [];

    public IReadOnlyList<Consumer> Consumers { get; private set; } = [];

    public string? Error { get; private set; }

    /// <summary>The form's fields, kept when an act is refused so the reviewer need not type them again.</summary>
    public string? Justification { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (ModuleVersions.Check(Module, Version) is { } invalid)
        {
            return BadRequest(invalid);
        }

        await LoadAsync(cancellationToken);
        return Current is null ? NotFound($"{Module}@{Version} has never been decided here") : Page();
    }

    [ConsoleAction(ConsolePolicies.Review)]
    public async Task<IActionResult> OnPostReleaseAsync([FromForm] string? justification, [FromForm] string? expires, CancellationToken cancellationToken)
    {
        DateTimeOffset? until = null;
        if (!string.IsNullOrWhiteSpace(expires))
        {
            if (!DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return await RefusedAsync($"expiry \"{expires}\" is not a date and time (e.g. 2027-01-31T12:00)", justification, cancellationToken);
            }

            until = parsed;
        }

        return await AnswerAsync(await review.ReleaseAsync(new ModuleVersion(Module, Version), Actor, justification, until, cancellationToken), "released", justification, cancellationToken);
    }

    [ConsoleAction(ConsolePolicies.Review)]
    public async Task<IActionResult> OnPostDenyAsync([FromForm] string? justification, CancellationToken cancellationToken) =>
        await AnswerAsync(await review.DenyAsync(new ModuleVersion(Module, Version), Actor, justification, cancellationToken), "denied", justification, cancellationToken);

    [ConsoleAction(ConsolePolicies.Review)]
    public async Task<IActionResult> OnPostRevokeAsync([FromForm] string? justification, CancellationToken cancellationToken)
    {
        var result = await revocation.RevokeAsync(Module, Version, null, Actor, justification, cancellationToken);
        return result.Status == ReviewStatus.Done
            ? Redirect(Links.Version(Module, Version) + "&done=revoked")
            : await RefusedAsync(result.Message, justification, cancellationToken);
    }

    private string Actor => User.Identity?.Name ?? "unknown";

    private async Task<IActionResult> AnswerAsync(ReviewResult result, string done, string? justification, CancellationToken cancellationToken) =>
        result.Status == ReviewStatus.Done
            ? Redirect(Links.Version(Module, Version) + "&done=" + done)
            : await RefusedAsync(result.Message, justification, cancellationToken);

    private async Task<IActionResult> RefusedAsync(string message, string? justification, CancellationToken cancellationToken)
    {
        if (ModuleVersions.Check(Module, Version) is { } invalid)
        {
            return BadRequest(invalid);
        }

        Error = message;
        Justification = justification;
        Done = null;
        await LoadAsync(cancellationToken);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        History = await decisions.FindAsync(new DecisionQuery(Module, Version, null, 100), cancellationToken);
        Current = History.Count == 0 ? null : DecisionDetail.Of(History[0]);
        Consumers = await consumers.FindAsync(Module, Version, cancellationToken);
    }
}
