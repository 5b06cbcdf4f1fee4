using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SecureGateway.WebConsole.Pages;

public sealed class SignInModel(ConsoleSessions sessions) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    [ConsoleAction(ConsoleActionAttribute.Anyone)]
    public async Task<IActionResult> OnPostAsync([FromForm] string? token)
    {
        Error = await sessions.SignInAsync(HttpContext, token);
        if (Error is null)
        {
            return LocalRedirect(ConsoleSessions.SafeReturnUrl(ReturnUrl));
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
