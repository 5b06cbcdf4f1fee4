using Microsoft.AspNetCore.Authorization;
using SecureGateway.Admin;

namespace SecureGateway.WebConsole;

/// <summary>The console's authorization policies: the admin API's roles, on the console's session cookie.</summary>
public static class ConsolePolicies
{
    /// <summary>admin, reviewer or auditor: every page.</summary>
    public const string Read = "console-read";

    /// <summary>admin or reviewer: release, deny, revoke, reconsider.</summary>
    public const string Review = "console-review";

    /// <summary>admin: tokens.</summary>
    public const string Admin = "console-admin";

    public static AuthorizationBuilder AddConsolePolicies(this AuthorizationBuilder authorization) => authorization
        .AddPolicy(Read, policy => policy.AddAuthenticationSchemes(ConsoleSessions.Scheme).RequireRole(Roles.Admin, Roles.Reviewer, Roles.Auditor))
        .AddPolicy(Review, policy => policy.AddAuthenticationSchemes(ConsoleSessions.Scheme).RequireRole(Roles.Admin, Roles.Reviewer))
        .AddPolicy(Admin, policy => policy.AddAuthenticationSchemes(ConsoleSessions.Scheme).RequireRole(Roles.Admin));
}
