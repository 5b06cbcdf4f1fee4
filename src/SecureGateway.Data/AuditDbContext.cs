using Microsoft.EntityFrameworkCore;
using SecureGateway.Data.Access;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Data.Facts;
using SecureGateway.Data.Ledger;

namespace SecureGateway.Data;

/// <summary>The audit store: every decision the gateway or a reviewer makes, trusted checksum-DB heads, and audit events.</summary>
public sealed class AuditDbContext(DbContextOptions<AuditDbContext> options) : DbContext(options)
{
    public const string MigrationsAssembly = "SecureGateway.Migrations";

    public DbSet<Decision> Decisions => Set<Decision>();

    public DbSet<ChecksumDbHead> ChecksumDbHeads => Set<ChecksumDbHead>();

    public DbSet<AuditEvent> Events => Set<AuditEvent>();

    public DbSet<VulnerabilityRecord> Vulnerabilities => Set<VulnerabilityRecord>();

    public DbSet<ModuleIndexEntry> ModuleIndex => Set<ModuleIndexEntry>();

    public DbSet<RepositoryFacts> RepositoryFacts => Set<RepositoryFacts>();

    public DbSet<FactSync> FactSyncs => Set<FactSync>();

    public DbSet<Download> Downloads => Set<Download>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AuditDbContext).Assembly);
}
