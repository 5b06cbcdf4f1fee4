using System.Security.Claims;
using SecureGateway.Review;
using SecureGateway.Admission;

namespace SecureGateway.Admin;

public static class ReevaluationEndpoints
{
    public static RouteGroupBuilder MapReevaluationApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/reevaluate", Start).RequireAuthorization(AdminPolicies.Review).WithTags("re-evaluation")
            .WithSummary("Run the live policies over every admitted version with current facts");
        admin.MapGet("/reevaluate", (ReevaluationRuns runs) => TypedResults.Ok(runs.Status)).RequireAuthorization(AdminPolicies.Read).WithTags("re-evaluation")
            .WithSummary("Progress and summary of the current or last re-evaluation run");
        return admin;
    }

    /// <summary>POST /admin/reevaluate — starts a run in the background: 202 with its progress; 409 while one runs.</summary>
    private static IResult Start(ReevaluationRuns runs, ClaimsPrincipal user) =>
        runs.TryStart(user.Identity?.Name ?? "unknown")
            ? TypedResults.Accepted("/admin/reevaluate", runs.Status)
            : TypedResults.Conflict(runs.Status);
}
