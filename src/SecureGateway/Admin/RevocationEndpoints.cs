using System.Security.Claims;
using SecureGateway.Admission;
using SecureGateway.Review;

namespace SecureGateway.Admin;

public static class RevocationEndpoints
{
    public static RouteGroupBuilder MapRevocationApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/revoke", RevokeAsync).RequireAuthorization(AdminPolicies.Review).WithTags("revocation")
            .WithSummary("Deny a version, or every version in a range, in any state (never seen too); every gateway refuses it at once; answers who already pulled it");
        admin.MapPost("/reconsider", ReconsiderAsync).RequireAuthorization(AdminPolicies.Review).WithTags("revocation")
            .WithSummary("Have a version decided afresh on its next request, with today's policies, facts and upstream bytes");
        admin.MapGet("/doctor", DoctorAsync).RequireAuthorization(AdminPolicies.Review).WithTags("revocation")
            .WithSummary("Put every version's files where its current decision says; report what was found and done");
        return admin;
    }

    /// <summary>POST /admin/revoke { module, version | range, justification }</summary>
    private static async Task<IResult> RevokeAsync(RevokeRequest request, Revocation revocation, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await revocation.RevokeAsync(
            request.Module ?? "", NullIfEmpty(request.Version), NullIfEmpty(request.Range), Actor(user), request.Justification, cancellationToken);
        return result.Status switch
        {
            ReviewStatus.Done => TypedResults.Ok(new
            {
                message = result.Message,
                revoked = result.Versions.Select(v => new { v.Version, was = v.Was, decisionId = v.DecisionId, consumers = v.Consumers }),
            }),
            _ => TypedResults.BadRequest(new AdminError(result.Message)),
        };
    }

    /// <summary>POST /admin/reconsider { module, version, justification }</summary>
    private static async Task<IResult> ReconsiderAsync(ReviewRequest request, Reconsideration reconsideration, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (QuarantineEndpoints.Validate(request, out var module) is { } invalid)
        {
            return invalid;
        }

        var result = await reconsideration.ReconsiderAsync(module, Actor(user), request.Justification, cancellationToken);
        return result.Status switch
        {
            ReviewStatus.Done => TypedResults.Ok(new { message = result.Message, decision = DecisionView.From(result.Decision!) }),
            ReviewStatus.NotFound => TypedResults.NotFound(new AdminError(result.Message)),
            _ => TypedResults.BadRequest(new AdminError(result.Message)),
        };
    }

    /// <summary>GET /admin/doctor — the repair run at every start, now.</summary>
    private static async Task<IResult> DoctorAsync(StorageRepair repair, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var report = await repair.RunAsync(Actor(user), cancellationToken);
        return TypedResults.Ok(new
        {
            summary = report.Summary,
            decided = report.Decided,
            moved = report.Moved,
            admittedWithoutFiles = report.AdmittedWithoutFiles,
            leftoversRemoved = report.LeftoversRemoved,
        });
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}

public sealed record RevokeRequest(string? Module, string? Version, string? Range, string? Justification);
