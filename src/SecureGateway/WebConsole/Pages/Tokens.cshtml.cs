using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SecureGateway.Access;
using SecureGateway.Data.Access;

namespace SecureGateway.WebConsole.Pages;

/// <summary>API tokens (admin only): who holds which roles; create one (shown once) or revoke one.</summary>
public sealed class TokensModel(ApiTokens tokens) : PageModel
{
    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];

    /// <summary>A token just created, shown this once.</summary>
    public string? Created { get; private set; }

    public string? Message { get; private set; }

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => Tokens = await tokens.ListAsync(cancellationToken);

    [ConsoleAction(ConsolePolicies.Admin)]
    public async Task OnPostCreateAsync([FromForm] string? name, [FromForm] string[]? roles, CancellationToken cancellationToken)
    {
        var result = await tokens.CreateAsync(name?.Trim() ?? "", roles ?? [], Actor, cancellationToken);
        if (result.Created)
        {
            Created = result.Token;
            Message = $"token \"{name?.Trim()}\" created (audit event {result.AuditEventId}); copy it now, it is not shown again";
        }
        else
        {
            Error = result.Error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await OnGetAsync(cancellationToken);
    }

    [ConsoleAction(ConsolePolicies.Admin)]
    public async Task OnPostRevokeAsync([FromForm] string? name, CancellationToken cancellationToken)
    {
        var result = await tokens.RevokeAsync(name ?? "", Actor, cancellationToken);
        if (result.Error is null)
        {
            Message = $"token \"{name}\" revoked (audit event {result.AuditEventId})";
        }
        else
        {
            Error = result.Error;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        await OnGetAsync(cancellationToken);
    }

    private string Actor => User.Identity?.Name ?? "unknown";
}
