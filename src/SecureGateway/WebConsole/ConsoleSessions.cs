using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;
using SecureGateway.Access;
using SecureGateway.Admin;

namespace SecureGateway.WebConsole;

/// <summary>
/// Console sign-in: an API token is exchanged for a session cookie that holds the token's name, roles and SHA-256 (never
/// the token). Every request checks that hash against the token store again, so a revoked token ends its sessions at
/// once, and a role change takes effect on the next page.
/// </summary>
public sealed class ConsoleSessions(ApiTokens tokens, FailedTokenAttempts failures)
{
    public const string Scheme = "Console";

    /// <summary>How long a session lasts without signing in again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private const string TokenHashClaim = "sgw:token-sha256";

    private static readonly string[] ConsoleRoles = [Roles.Admin, Roles.Reviewer, Roles.Auditor];

    /// <summary>Signs in with <paramref name="token"/>; null when signed in, else why not (shown on the sign-in page).</summary>
    public async Task<string?> SignInAsync(HttpContext context, string? token)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (failures.IsThrottled(client))
        {
            return TokenAuthenticationHandler.ThrottledMessage;
        }

        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
        {
            return "enter an API token";
        }

        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
        TokenIdentity? identity;
        try
        {
            identity = await tokens.FindByHashAsync(hash, context.RequestAborted);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return "the token cannot be checked: the audit database is unavailable";
        }

        if (identity is null)
        {
            failures.Record(client);
            return "invalid token";
        }

        if (!identity.Roles.Any(ConsoleRoles.Contains))
        {
            return $"token \"{identity.Name}\" has role {string.Join(", ", identity.Roles)}; the console is for admin, reviewer and auditor tokens";
        }

        var principal = Principal(identity, Convert.ToHexStringLower(hash));
        await context.SignInAsync(Scheme, principal, new AuthenticationProperties { IsPersistent = false });
        return null;
    }

    /// <summary>The cookie's <see cref="CookieAuthenticationEvents.OnValidatePrincipal"/>: the token must still be valid.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var hash = context.Principal?.FindFirstValue(TokenHashClaim);
        var tokens = context.HttpContext.RequestServices.GetRequiredService<ApiTokens>();
        TokenIdentity? identity = null;
        try
        {
            identity = hash is null || hash.Length != 64 ? null : await tokens.FindByHashAsync(Convert.FromHexString(hash), context.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // Fail closed: with the token store unreadable a session cannot be shown to be still valid.
        }

        if (identity is null || !identity.Roles.Any(ConsoleRoles.Contains))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }

        // Roles as the store holds them now, not as they were at sign-in.
        context.ReplacePrincipal(Principal(identity, hash!));
    }

    /// <summary>A page that may be returned to after sign-in: a console path on this site, never another host.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is not null && returnUrl.StartsWith("/console", StringComparison.Ordinal)
            && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.Contains('\\', StringComparison.Ordinal)
            && Uri.TryCreate(returnUrl, UriKind.Relative, out _)
            ? returnUrl
            : "/console";

    private static ClaimsPrincipal Principal(TokenIdentity identity, string hash)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Name), new(TokenHashClaim, hash) };
        claims.AddRange(identity.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The status a refused console request answers with, as a short plain page (no redirect to hide it).</summary>
    public static Task RefuseAsync(HttpContext context, HttpStatusCode status, string message)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message + "\n");
    }
}
