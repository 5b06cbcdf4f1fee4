namespace SecureGateway.Admin;

/// <summary>Roles a token can hold. <c>admin</c> can do everything; the others are subsets.</summary>
public static class Roles
{
    public const string Admin = "admin";

    /// <summary>Releases and denies quarantined versions, starts re-evaluations; reads everything.</summary>
    public const string Reviewer = "reviewer";

    /// <summary>Reads decisions, the audit trail, consumers and reports; changes nothing.</summary>
    public const string Auditor = "auditor";

    /// <summary>Downloads modules through the GOPROXY endpoints when client authentication is on.</summary>
    public const string Client = "client";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Admin, Reviewer, Auditor, Client };
}

/// <summary>Authorization policies of the admin API, named by what they allow.</summary>
public static class AdminPolicies
{
    /// <summary>admin, reviewer or auditor.</summary>
    public const string Read = "admin-read";

    /// <summary>admin or reviewer.</summary>
    public const string Review = "admin-review";
}
