using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SecureGateway.WebConsole.Pages;

/// <summary>Ends the session (a POST with the form's antiforgery token, so no other site can sign a reviewer out).</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/console");

    [ConsoleAction(ConsolePolicies.Read)]
    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(ConsoleSessions.Scheme);
        return Redirect("/console/signin");
    }
}
