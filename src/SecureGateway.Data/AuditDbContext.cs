using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using SecureGateway.Data.Access;
using SecureGateway.Data.ChecksumDb;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Data.Facts;
using SecureGateway.Data.Ledger;

namespace SecureGateway.Data;

/// <summary>
/// The audit store: every decision the gateway or a reviewer makes, trusted checksum-DB heads, and audit events; also
/// what every gateway process must share, such as the keys that protect console sessions.
/// </summary>
public sealed class AuditDbContext(DbContextOptions<AuditDbContext> options) : DbContext(options), IDataProtectionKeyContext
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

    /// <summary>The console's session-cookie keys: shared, so a session signed in on one replica is valid on every other.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AuditDbContext).Assembly);
}
