using Microsoft.AspNetCore.Authorization;
using SecureGateway.Admin;
using SecureGateway.WebConsole;

namespace SecureGateway.Access;

public static class AccessServiceCollectionExtensions
{
    /// <summary>
    /// Token authentication (scheme <c>Token</c>, the default for every request), the admin API's policies
    /// (<see cref="AdminPolicies"/>), the <see cref="ApiTokens"/> store and <c>Gateway:ClientAuth</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>Gateway:ClientAuth</c> has an unknown value.</exception>
    public static IServiceCollection AddGatewayAccess(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(AccessSettings.From(configuration));
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<FailedTokenAttempts>();
        services.AddHostedService<TokenRevocationListener>();
        services.AddAuthentication(TokenAuthentication.Scheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthentication.Scheme, null);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, RoleAwareAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicies.Read, policy => policy.RequireRole(Roles.Admin, Roles.Reviewer, Roles.Auditor))
            .AddPolicy(AdminPolicies.Review, policy => policy.RequireRole(Roles.Admin, Roles.Reviewer))
            .AddConsolePolicies();
        return services;
    }
}
