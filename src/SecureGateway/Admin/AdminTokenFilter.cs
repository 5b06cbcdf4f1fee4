using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SecureGateway.Hosting;

namespace SecureGateway.Admin;

/// <summary>Requires <c>Authorization: Bearer {Gateway:AdminToken}</c>; with no token configured the admin API is closed.</summary>
internal sealed class AdminTokenFilter(IOptions<GatewayOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.AdminToken;
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(expected))
        {
            return Unauthorized(context.HttpContext, "admin API disabled: set Gateway:AdminToken");
        }

        if (!header.StartsWith("Bearer ", StringComparison.Ordinal) || !TokensEqual(header["Bearer ".Length..].Trim(), expected))
        {
            return Unauthorized(context.HttpContext, "a valid bearer token is required");
        }

        return await next(context);
    }

    /// <summary>Compares hashes so neither the content nor the length of the token leaks through timing.</summary>
    private static bool TokensEqual(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static JsonHttpResult<AdminError> Unauthorized(HttpContext context, string reason)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Json(new AdminError(reason), statusCode: StatusCodes.Status401Unauthorized);
    }
}

/// <summary>The admin API's error body: <c>{ "error": "…" }</c>.</summary>
internal sealed record AdminError(string Error);
