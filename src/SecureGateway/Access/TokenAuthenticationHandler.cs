using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using SecureGateway.Admin;

namespace SecureGateway.Access;

/// <summary>The authentication scheme of the admin API and, when clients authenticate, of the GOPROXY endpoints.</summary>
public static class TokenAuthentication
{
    public const string Scheme = "Token";
}

/// <summary>
/// The <c>Token</c> scheme: <c>Authorization: Bearer TOKEN</c>, or <c>Authorization: Basic base64(user:TOKEN)</c> as the go
/// command sends from <c>.netrc</c> or credentials in GOPROXY (the user part is informational; the token decides). The
/// principal's name is the token's name; each of its roles is a role claim. Challenges and refusals are the admin API's JSON.
/// </summary>
internal sealed partial class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, ApiTokens tokens, FailedTokenAttempts failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    /// <summary>Set in <see cref="HttpContext.Items"/> when a token could not be checked because the token store is down.</summary>
    public const string UnavailableItem = "SecureGateway.Access.TokenStoreUnavailable";

    /// <summary>Set in <see cref="HttpContext.Items"/> when the client failed too many token attempts (429).</summary>
    public const string ThrottledItem = "SecureGateway.Access.TooManyFailedTokens";

    public static readonly string ThrottledMessage =
        $"too many failed token attempts from this address (more than {FailedTokenAttempts.Limit} a minute); try again in a minute";

    /// <summary>Where <see cref="HandleForbiddenAsync"/> finds the roles the refused endpoint needs.</summary>
    public const string NeededRolesItem = "needed-roles";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization;
        if (header.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (header.Count > 1)
        {
            return AuthenticateResult.Fail("more than one Authorization header");
        }

        var client = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (failures.IsThrottled(client))
        {
            Context.Items[ThrottledItem] = true;
            return AuthenticateResult.Fail(ThrottledMessage);
        }

        if (Presented(header.ToString(), out var problem) is not { } token)
        {
            failures.Record(client);
            return AuthenticateResult.Fail(problem);
        }

        TokenIdentity? identity;
        try
        {
            identity = await tokens.FindAsync(token, Context.RequestAborted);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException or RetryLimitExceededException)
        {
            LogTokenStoreUnavailable(Logger, e);
            Context.Items[UnavailableItem] = true;
            return AuthenticateResult.Fail("the token cannot be checked: the audit database is unavailable");
        }

        if (identity is null)
        {
            failures.Record(client);
            return AuthenticateResult.Fail("invalid token");
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, identity.Name) };
        claims.AddRange(identity.Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, TokenAuthentication.Scheme, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, TokenAuthentication.Scheme));
    }

    /// <summary>401 <c>{ "error": … }</c> with <c>WWW-Authenticate: Bearer</c>; 503 when the token store is down.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (Context.Items.ContainsKey(UnavailableItem))
        {
            await WriteErrorAsync(StatusCodes.Status503ServiceUnavailable, result.Failure!.Message);
            return;
        }

        if (Context.Items.ContainsKey(ThrottledItem))
        {
            Response.Headers.RetryAfter = ((int)FailedTokenAttempts.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteErrorAsync(StatusCodes.Status429TooManyRequests, result.Failure!.Message);
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        await WriteErrorAsync(
            StatusCodes.Status401Unauthorized,
            result.Failure?.Message ?? "a token is required: Authorization: Bearer TOKEN");
    }

    /// <summary>403 <c>{ "error": … }</c> naming the token and, when known, the roles that would do.</summary>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var name = Context.User.Identity?.Name ?? "?";
        var held = string.Join(", ", Context.User.FindAll(ClaimTypes.Role).Select(c => c.Value));
        var needed = properties.Items.TryGetValue(NeededRolesItem, out var roles) && !string.IsNullOrEmpty(roles) ? $"; this needs {roles}" : "";
        return WriteErrorAsync(
            StatusCodes.Status403Forbidden,
            $"forbidden: token \"{name}\" has role {(held.Length == 0 ? "none" : held)}{needed}");
    }

    /// <summary>The token in a Bearer or Basic header, or null with the reason.</summary>
    internal static string? Presented(string header, out string problem)
    {
        problem = "";
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? header : header[..space];
        var credentials = space < 0 ? "" : header[(space + 1)..].Trim();
        if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            if (credentials.Length == 0)
            {
                problem = "empty bearer token";
                return null;
            }

            return credentials;
        }

        if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(credentials));
            }
            catch (FormatException)
            {
                problem = "malformed basic credentials: not base64";
                return null;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0 || colon == decoded.Length - 1)
            {
                problem = "basic credentials need a token as the password (user:TOKEN)";
                return null;
            }

            return decoded[(colon + 1)..];
        }

        problem = $"unsupported authorization scheme \"{scheme}\": use Bearer or Basic";
        return null;
    }

    private Task WriteErrorAsync(int status, string message)
    {
        Response.StatusCode = status;
        return Response.WriteAsJsonAsync(new AdminError(message), Context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A presented token could not be checked: the token store is unavailable")]
    private static partial void LogTokenStoreUnavailable(ILogger logger, Exception exception);
}
