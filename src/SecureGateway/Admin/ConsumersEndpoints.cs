using Npgsql;
using SecureGateway.Ledger;

namespace SecureGateway.Admin;

public static class ConsumersEndpoints
{
    public static RouteGroupBuilder MapConsumersApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/consumers", ListAsync).RequireAuthorization(AdminPolicies.Read).WithTags("consumers")
            .WithSummary("Who pulled a module (or one version of it) and when, from the download ledger");
        return admin;
    }

    /// <summary>
    /// GET /admin/consumers?module=&amp;version= — who pulled the module (or that version), one item per client, latest pull
    /// first: <c>{ "items": [ { "client", "firstPulled", "lastPulled", "count", "kinds", "versions", "userAgent" } ] }</c>.
    /// </summary>
    private static async Task<IResult> ListAsync(DownloadConsumers consumers, string? module, string? version, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(module))
        {
            return TypedResults.BadRequest(new AdminError("module is required: /admin/consumers?module=M[&version=V]"));
        }

        try
        {
            var items = await consumers.FindAsync(module, string.IsNullOrEmpty(version) ? null : version, cancellationToken);
            return TypedResults.Ok(new { items });
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return TypedResults.Json(new AdminError($"the audit database is unavailable: {e.Message}"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
