using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SecureGateway.Admin;
using SecureGateway.Data;
using SecureGateway.Reports;
using SecureGateway.Tests.Facts;

namespace SecureGateway.Tests.Reports;

/// <summary>
/// A web application with only the compliance report wired, on a loopback port, its clock stopped at <c>now</c>. The
/// gateway's own /admin group adds token authentication; here the read policy lets everyone in.
/// </summary>
internal static class ReportHost
{
    public static WebApplication Create(string connectionString, DateTimeOffset now)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddDbContextFactory<AuditDbContext>(options => options.UseAuditDatabase(connectionString));
        builder.Services.AddSingleton<TimeProvider>(new ManualTimeProvider(now));
        builder.Services.AddComplianceReports();
        builder.Services.AddAuthorizationBuilder().AddPolicy(AdminPolicies.Read, policy => policy.RequireAssertion(_ => true));
        var app = builder.Build();
        app.MapGroup("/admin").MapReportApi();
        return app;
    }
}
