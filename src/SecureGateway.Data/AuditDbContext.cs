using Microsoft.EntityFrameworkCore;
using SecureGateway.Data.Decisions;

namespace SecureGateway.Data;

/// <summary>The audit store: every decision the gateway or a reviewer makes.</summary>
public sealed class AuditDbContext(DbContextOptions<AuditDbContext> options) : DbContext(options)
{
    public const string MigrationsAssembly = "SecureGateway.Migrations";

    public DbSet<Decision> Decisions => Set<Decision>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AuditDbContext).Assembly);
}
