using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace SecureGateway.Access;

/// <summary>Passes the roles a refused admin endpoint needs on to the 403 body; everything else as ASP.NET Core does it.</summary>
internal sealed class RoleAwareAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler standard = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // The console's pages refuse as the console does (its cookie scheme); the admin API with its JSON.
        if (!authorizeResult.Forbidden || policy.AuthenticationSchemes.Contains(WebConsole.ConsoleSessions.Scheme))
        {
            return standard.HandleAsync(next, context, policy, authorizeResult);
        }

        var needed = authorizeResult.AuthorizationFailure?.FailedRequirements
            .OfType<RolesAuthorizationRequirement>()
            .Select(r => string.Join(" or ", r.AllowedRoles))
            .ToList() ?? [];
        var properties = new AuthenticationProperties();
        properties.Items[TokenAuthenticationHandler.NeededRolesItem] = needed.Count == 0 ? null : "role " + string.Join(", and role ", needed);
        return context.ForbidAsync(TokenAuthentication.Scheme, properties);
    }
}
