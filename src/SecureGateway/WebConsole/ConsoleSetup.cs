using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Data;

namespace SecureGateway.WebConsole;

/// <summary>
/// The review console: Razor Pages under <c>/console/</c>, on the admin API's services, signed in with an API token for a
/// session cookie (HTTP-only, SameSite=Strict, secure over HTTPS), antiforgery on every form, no script.
/// </summary>
public static class ConsoleSetup
{
    public const string PathPrefix = "/console";

    /// <summary>No script at all, styles and images from the gateway only, never framed, forms post only to the gateway.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private const string StylesheetResource = "SecureGateway.WebConsole.console.css";

    public static IServiceCollection AddWebConsole(this IServiceCollection services)
    {
        services.AddSingleton<ConsoleSessions>();
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/WebConsole/Pages";
            pages.Conventions.AuthorizeFolder("/", ConsolePolicies.Read);
            pages.Conventions.AuthorizePage("/Tokens", ConsolePolicies.Admin);
            pages.Conventions.AllowAnonymousToPage("/SignIn");
        }).AddMvcOptions(mvc =>
        {
            mvc.Filters.Add<ConsoleActionFilter>();
            mvc.Filters.Add<AntiforgeryRefusal>();
        });
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "sgw-console-csrf";
            antiforgery.Cookie.Path = PathPrefix;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        // Session cookies must survive a restart and be valid on every replica behind the balancer: the keys that
        // protect them are kept in the audit database, which every gateway process shares.
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<AuditDbContext>>().CreateDbContext());
        services.AddDataProtection().SetApplicationName("SecureGateway").PersistKeysToDbContext<AuditDbContext>();
        services.AddAuthentication().AddCookie(ConsoleSessions.Scheme, cookie =>
        {
            cookie.Cookie.Name = "sgw-console";
            cookie.Cookie.Path = PathPrefix;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = ConsoleSessions.Lifetime;
            cookie.SlidingExpiration = false;
            cookie.LoginPath = PathPrefix + "/signin";
            cookie.Events = new CookieAuthenticationEvents
            {
                OnValidatePrincipal = ConsoleSessions.ValidateAsync,
                OnRedirectToAccessDenied = context => ConsoleSessions.RefuseAsync(
                    context.HttpContext, HttpStatusCode.Forbidden, $"forbidden: token \"{context.HttpContext.User.Identity?.Name}\" may not see this page"),
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapWebConsole(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(PathPrefix), console => console.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // As antiforgery sets them on every page with a form (other values it overrides, with a warning).
            headers.CacheControl = "no-cache, no-store";
            headers.Pragma = "no-cache";
            return next(context);
        }));
        var stylesheet = Stylesheet();
        app.MapGet(PathPrefix + "/console.css", () => TypedResults.Bytes(stylesheet, "text/css; charset=utf-8")).AllowAnonymous();
        app.MapGet(PathPrefix + "/report", Admin.ReportEndpoints.ComplianceAsync).RequireAuthorization(ConsolePolicies.Read);
        app.MapRazorPages();
        return app;
    }

    private static byte[] Stylesheet()
    {
        using var stream = typeof(ConsoleSetup).Assembly.GetManifestResourceStream(StylesheetResource)
            ?? throw new InvalidOperationException($"{StylesheetResource} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A form without its antiforgery token (or with another session's) is refused with a reason, not an empty 400.</summary>
    private sealed class AntiforgeryRefusal : IAlwaysRunResultFilter
    {
        public void OnResultExecuting(ResultExecutingContext context)
        {
            if (context.Result is IAntiforgeryValidationFailedResult)
            {
                context.Result = new Microsoft.AspNetCore.Mvc.ContentResult
                {
                    StatusCode = StatusCodes.Status400BadRequest,
                    ContentType = "text/plain; charset=utf-8",
                    Content = "refused: the form's anti-forgery token is missing or does not belong to this session; reload the page and submit it again",
                };
            }
        }

        public void OnResultExecuted(ResultExecutedContext context)
        {
        }
    }
}
