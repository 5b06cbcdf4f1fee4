namespace SecureGateway.Reports;

public static class ComplianceReportsExtensions
{
    /// <summary>The compliance report builder; needs the audit <c>IDbContextFactory</c> and a <see cref="TimeProvider"/>.</summary>
    public static IServiceCollection AddComplianceReports(this IServiceCollection services)
    {
        services.AddSingleton<ComplianceReportBuilder>();
        return services;
    }
}
