using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace SecureGateway.Data;

public static class AuditDbContextOptions
{
    /// <summary>The one place the provider, naming and migrations assembly are chosen, shared by host, CLI and design time.</summary>
    public static DbContextOptionsBuilder UseAuditDatabase(this DbContextOptionsBuilder options, string connectionString) =>
        options
            .UseNpgsql(connectionString, npgsql => npgsql
                .MigrationsAssembly(AuditDbContext.MigrationsAssembly)
                .EnableRetryOnFailure(3, TimeSpan.FromSeconds(2), null))
            .UseSnakeCaseNamingConvention()
            // EF logs a failed command as an error even where it expects one (the migrations history probe on a
            // new database); genuine failures surface as exceptions, which the gateway logs where it handles them.
            .ConfigureWarnings(warnings => warnings.Log((RelationalEventId.CommandError, LogLevel.Information)));
}
