using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SecureGateway.Review;
using SecureGateway.Admission;
using SecureGateway.Audit;
using SecureGateway.Data.Decisions;
using SecureGateway.Modules;

namespace SecureGateway.Admin;

public static class QuarantineEndpoints
{
    public static RouteGroupBuilder MapQuarantineApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/quarantine", ListAsync).RequireAuthorization(AdminPolicies.Read).WithTags("quarantine")
            .WithSummary("Versions held for review, oldest first");
        admin.MapPost("/quarantine/release", ReleaseAsync).RequireAuthorization(AdminPolicies.Review).WithTags("quarantine")
            .WithSummary("Admit a quarantined version with a justification; with expires, a waiver that lapses into re-evaluation");
        admin.MapPost("/quarantine/deny", DenyAsync).RequireAuthorization(AdminPolicies.Review).WithTags("quarantine")
            .WithSummary("Deny a quarantined version for good, with a justification");
        return admin;
    }

    /// <summary>GET /admin/quarantine?module=&amp;rule= — versions held for review, oldest first; <c>rule</c>: those that rule quarantined.</summary>
    private static async Task<IResult> ListAsync(CurrentDecisions current, TimeProvider time, string? module, string? rule, CancellationToken cancellationToken)
    {
        if (rule is "")
        {
            return TypedResults.BadRequest(new AdminError("rule must name a policy rule (its file name without .js)"));
        }

        var now = time.GetUtcNow();
        var items = await current.WithOutcomeAsync(DecisionOutcome.Quarantined, module, rule, cancellationToken);
        return TypedResults.Ok(new
        {
            items = items.Select(d => new QuarantineItem(d.Module, d.Version, d.Reasons, d.Time, d.Id, Math.Round((now - d.Time).TotalDays, 2))),
        });
    }

    /// <summary>POST /admin/quarantine/release { module, version, justification, expires? }</summary>
    private static async Task<IResult> ReleaseAsync(ReviewRequest request, QuarantineReview review, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        Validate(request, out var module) is { } invalid
            ? invalid
            : Answer(await review.ReleaseAsync(module, Actor(user), request.Justification, request.Expires, cancellationToken));

    /// <summary>POST /admin/quarantine/deny { module, version, justification }</summary>
    private static async Task<IResult> DenyAsync(ReviewRequest request, QuarantineReview review, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        Validate(request, out var module) is { } invalid
            ? invalid
            : Answer(await review.DenyAsync(module, Actor(user), request.Justification, cancellationToken));

    /// <summary>A request naming one module version (also reconsideration's); null when it is well-formed.</summary>
    internal static BadRequest<AdminError>? Validate(ReviewRequest request, out ModuleVersion module)
    {
        module = default;
        if (string.IsNullOrEmpty(request.Module) || string.IsNullOrEmpty(request.Version))
        {
            return TypedResults.BadRequest(new AdminError("module and version are required"));
        }

        if (ModuleVersions.Check(request.Module, request.Version) is { } error)
        {
            return TypedResults.BadRequest(new AdminError(error));
        }

        module = new ModuleVersion(request.Module, request.Version);
        return null;
    }

    private static IResult Answer(ReviewResult result) => result.Status switch
    {
        ReviewStatus.Done => TypedResults.Ok(new { message = result.Message, decision = DecisionView.From(result.Decision!) }),
        ReviewStatus.Invalid => TypedResults.BadRequest(new AdminError(result.Message)),
        ReviewStatus.NotFound => TypedResults.NotFound(new AdminError(result.Message)),
        _ => TypedResults.Conflict(new AdminError(result.Message)),
    };

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}

public sealed record ReviewRequest(string? Module, string? Version, string? Justification, DateTimeOffset? Expires);

internal sealed record QuarantineItem(string Module, string Version, IReadOnlyList<string> Reasons, DateTimeOffset Since, long DecisionId, double AgeDays);
