using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SecureGateway.Admission;
using SecureGateway.Data;
using SecureGateway.Facts;
using SecureGateway.Hosting;
using SecureGateway.Policy;
using SecureGateway.Storage;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Health;

public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<AuditDatabaseCheck>("audit-database", tags: [ReadyTag])
            .AddCheck<DataDirectoryCheck>("data-directory", tags: [ReadyTag])
            .AddCheck<ArtefactStoreCheck>("artefact-store", tags: [ReadyTag])
            .AddCheck<ChecksumDbCheck>("checksum-db", tags: [ReadyTag])
            .AddCheck<PolicyCheck>("policy", tags: [ReadyTag])
            .AddCheck<DecisionFeedCheck>("decision-feed", tags: [ReadyTag])
            .AddCheck<FactDataCheck>("fact-data", tags: [ReadyTag])
            .AddCheck<AuditRolesCheck>("audit-roles", tags: [ReadyTag]);
        return services;
    }

    /// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: it can also record decisions and store artefacts.</summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReportAsync,
        });
        return endpoints;
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Select(e => $"{e.Key}: {e.Value.Status}{(e.Value.Description is { } d ? $" ({d})" : "")}");
        return context.Response.WriteAsync($"{report.Status}\n{string.Join('\n', lines)}\n");
    }

    private sealed class AuditDatabaseCheck(IDbContextFactory<AuditDbContext> contexts) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("cannot connect to the audit database");
        }
    }

    /// <summary>A checksum-DB fork stops admissions: the gateway is not ready to admit until an operator resets the head.</summary>
    private sealed class ChecksumDbCheck(SumDbSettings settings, TrustedHeads heads) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            if (settings.Disabled)
            {
                return HealthCheckResult.Degraded("checksum DB verification is off (Gateway:SumDb=off)");
            }

            return await heads.ActiveForkAsync(settings.Name, cancellationToken) is { } fork
                ? HealthCheckResult.Unhealthy($"FORK: {fork.Summary} (audit event {fork.Id}); admissions stopped, run `sumdb reset-head --confirm` after investigating")
                : HealthCheckResult.Healthy($"{settings.Name}");
        }
    }

    /// <summary>Without a live policy bundle nothing new can be evaluated, so nothing new is admitted.</summary>
    private sealed class PolicyCheck(LivePolicy policy) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(policy.Current is { } bundle
                ? HealthCheckResult.Healthy($"bundle {bundle.Revision}")
                : HealthCheckResult.Unhealthy($"no valid policy bundle in {policy.Directory}: {policy.Problem}"));
    }

    /// <summary>
    /// A process that cannot hear other processes' decisions may serve a version revoked elsewhere: past the window it
    /// is taken out by the load balancer (it keeps serving its last view to whoever still asks).
    /// </summary>
    private sealed class DecisionFeedCheck(DecisionFeed feed, ServingDecisions serving, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            var lost = feed.LostSince is { } since ? time.GetUtcNow() - since : TimeSpan.Zero;
            return Task.FromResult(
                !serving.Loaded ? HealthCheckResult.Unhealthy("current decisions not loaded yet")
                : lost > feed.Window ? HealthCheckResult.Unhealthy($"not hearing decisions of other processes since {feed.LostSince:u} (more than {feed.Window})")
                : lost > TimeSpan.Zero ? HealthCheckResult.Degraded($"not hearing decisions of other processes since {feed.LostSince:u}; retrying")
                : HealthCheckResult.Healthy($"{serving.Count} versions decided"));
        }
    }

    /// <summary>
    /// Missing or stale fact data makes the default policy hold new versions for review: the gateway still serves and
    /// decides, so it is degraded, not unready.
    /// </summary>
    private sealed class FactDataCheck(FactFreshness freshness) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            var now = await freshness.CurrentAsync(cancellationToken);
            var summary = string.Join("; ", now.Sources().Select(s => $"{s.Name} {Describe(s.Freshness)}"));
            return now.HasMissingOrStaleData() ? HealthCheckResult.Degraded(summary) : HealthCheckResult.Healthy(summary);
        }

        private static string Describe(SourceFreshness source) => source.State switch
        {
            FreshnessStates.Off => "off",
            FreshnessStates.Never => $"never synced from {source.Source}",
            _ => $"{source.State}: synced from {source.Source} {source.AgeHours:0.##} h ago (limit {source.MaxAgeHours:0.##} h)",
        };
    }

    /// <summary>A gateway that serves as the owner of the audit tables (or a superuser) works, but its trail is only as safe as its process.</summary>
    private sealed class AuditRolesCheck(AuditDatabase database) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            Task.FromResult(database.RuntimeWeakness is { } weakness
                ? HealthCheckResult.Degraded($"{weakness}; set ConnectionStrings:AuditMigration to the schema owner and ConnectionStrings:Audit to a runtime role")
                : HealthCheckResult.Healthy("the runtime role can only read and append to the audit trail"));
    }

    /// <summary>Admitted versions go to the store: a gateway whose store takes no writes admits nothing.</summary>
    private sealed class ArtefactStoreCheck(GatewayStorage storage) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
            await storage.Store.ProbeAsync(cancellationToken) is { } problem
                ? HealthCheckResult.Unhealthy(problem)
                : HealthCheckResult.Healthy(storage.Store.Location);
    }

    private sealed class DataDirectoryCheck(IOptions<GatewayOptions> options) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            var probe = Path.Combine(options.Value.DataDir, $".ready-{Guid.NewGuid():N}");
            try
            {
                await File.WriteAllTextAsync(probe, "ok", cancellationToken);
                File.Delete(probe);
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return HealthCheckResult.Unhealthy($"data directory {options.Value.DataDir} is not writable: {e.Message}");
            }
        }
    }
}
