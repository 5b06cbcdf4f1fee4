using Microsoft.AspNetCore.Authorization;
using SecureGateway.Admin;
using SecureGateway.WebConsole;

namespace SecureGateway.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// Token authentication (scheme <c>Token</c>), the admin API's policies (<see cref="AdminPolicies"/>), the
    /// <see cref="ApiTokens"/> store and <c>Gateway:ClientAuth</c>. A request is authenticated only where it is asked
    /// for: by the admin API's policies, which name the scheme, and by the GOPROXY endpoints' filter
    /// (<see cref="ClientAuthentication.RequireGatewayClient"/>); the scheme challenges and forbids by default.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>Gateway:ClientAuth</c> has an unknown value.</exception>
    public static IServiceCollection AddGatewayAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(AccessSettings.From(configuration));
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<FailedTokenAttempts>();
        services.AddHostedService<TokenRevocationListener>();
        services.AddAuthentication(authentication =>
            {
                authentication.DefaultChallengeScheme = TokenAuthentication.Scheme;
                authentication.DefaultForbidScheme = TokenAuthentication.Scheme;
            })
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthentication.Scheme, null);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, RoleAwareAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicies.Read, policy => policy.AddAuthenticationSchemes(TokenAuthentication.Scheme).RequireRole(Roles.Admin, Roles.Reviewer, Roles.Auditor))
            .AddPolicy(AdminPolicies.Review, policy => policy.AddAuthenticationSchemes(TokenAuthentication.Scheme).RequireRole(Roles.Admin, Roles.Reviewer))
            .AddConsolePolicies();
        return services;
    }
}
