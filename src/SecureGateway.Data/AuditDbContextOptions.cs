using Microsoft.EntityFrameworkCore;

namespace SecureGateway.Data;

public static class AuditDbContextOptions
{
    /// <summary>The one place the provider, naming and migrations assembly are chosen, shared by host, CLI and design time.</summary>
    public static DbContextOptionsBuilder UseAuditDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql
                .MigrationsAssembly(AuditDbContext.MigrationsAssembly)
                .EnableRetryOnFailure(3, TimeSpan.FromSeconds(2), null))
            .UseSnakeCaseNamingConvention();
}
