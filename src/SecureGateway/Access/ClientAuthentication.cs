using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using SecureGateway.Admin;
using SecureGateway.Protocol;

namespace SecureGateway.Access;

/// <summary><c>Gateway:ClientAuth</c>: whether the GOPROXY endpoints require a token.</summary>
public enum ClientAuthMode
{
    /// <summary>Anyone who can reach the gateway may download (the default); a presented token still names the client.</summary>
    Off,

    /// <summary>Downloads need a token with role <c>client</c> (or <c>admin</c>), as Basic (go's .netrc) or Bearer.</summary>
    Required,
}

/// <summary>The access settings read from configuration once, at start.</summary>
public sealed record AccessSettings(ClientAuthMode ClientAuth)
{
    public const string ClientAuthKey = "Gateway:ClientAuth";

    /// <exception cref="InvalidOperationException">The value is neither <c>off</c> nor <c>required</c>.</exception>
    public static AccessSettings From(IConfiguration configuration)
    {
        var value = configuration[ClientAuthKey];
        return value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "off" => new(ClientAuthMode.Off),
            "required" => new(ClientAuthMode.Required),
            _ => throw new InvalidOperationException($"{ClientAuthKey} must be off or required, not \"{value}\""),
        };
    }
}

public static class ClientAuthentication
{
    /// <summary>The realm the go command is challenged with.</summary>
    public const string Challenge = "Basic realm=\"SecureGateway\"";

    /// <summary>
    /// With <c>Gateway:ClientAuth=required</c>: no token → 401 with <c>WWW-Authenticate: Basic realm="SecureGateway"</c>, a token
    /// without role client or admin → 403, the token store down → 503; all text/plain, which the go command shows. With
    /// <c>off</c> a valid token presented names the client, and anything else is served as to anyone.
    /// </summary>
    /// <remarks>
    /// The token scheme is not the default one: these endpoints are the benchmarked path, and a request without an
    /// Authorization header would otherwise build a handler (and its logger) only to learn there is nothing to check.
    /// </remarks>
    public static TBuilder RequireGatewayClient<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
            factory.ApplicationServices.GetRequiredService<AccessSettings>().ClientAuth == ClientAuthMode.Off
                ? invocation => NameClientAsync(invocation, next)
                : invocation => CheckAsync(invocation, next));

    private static async ValueTask<object?> NameClientAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        if (invocation.HttpContext.Request.Headers.Authorization.Count > 0)
        {
            await AuthenticateAsync(invocation.HttpContext);
        }

        return await next(invocation);
    }

    private static async Task<AuthenticateResult> AuthenticateAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(TokenAuthentication.Scheme);
        if (result is { Succeeded: true, Principal: { } principal })
        {
            context.User = principal;
        }

        return result;
    }

    private static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var result = await AuthenticateAsync(context);
        if (!result.Succeeded)
        {
            if (context.Items.ContainsKey(TokenAuthenticationHandler.UnavailableItem))
            {
                return ProxyResults.Text(StatusCodes.Status503ServiceUnavailable, $"unavailable: {result.Failure?.Message}");
            }

            if (context.Items.ContainsKey(TokenAuthenticationHandler.ThrottledItem))
            {
                context.Response.Headers.RetryAfter = ((int)FailedTokenAttempts.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return ProxyResults.Text(StatusCodes.Status429TooManyRequests, $"too many requests: {TokenAuthenticationHandler.ThrottledMessage}");
            }

            context.Response.Headers.WWWAuthenticate = Challenge;
            return ProxyResults.Text(
                StatusCodes.Status401Unauthorized,
                result.Failure is { } failure
                    ? $"unauthorized: {failure.Message}"
                    : "unauthorized: this gateway requires a token: put it in .netrc (machine HOST login USER password TOKEN) or GOPROXY=https://USER:TOKEN@HOST");
        }

        if (!context.User.IsInRole(Roles.Client) && !context.User.IsInRole(Roles.Admin))
        {
            var held = string.Join(", ", context.User.FindAll(ClaimTypes.Role).Select(c => c.Value));
            return ProxyResults.Text(
                StatusCodes.Status403Forbidden,
                $"forbidden: token \"{context.User.Identity?.Name}\" has role {(held.Length == 0 ? "none" : held)}; downloads need role client");
        }

        return await next(invocation);
    }
}
