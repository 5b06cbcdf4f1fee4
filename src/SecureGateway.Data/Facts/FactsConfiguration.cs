using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SecureGateway.Data.Facts;

internal sealed class VulnerabilityRecordConfiguration : IEntityTypeConfiguration<VulnerabilityRecord>
{
    public void Configure(EntityTypeBuilder<VulnerabilityRecord> builder)
    {
        builder.ToTable("vulnerabilities");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Id).HasMaxLength(64);
        builder.Property(v => v.Osv).HasColumnType("jsonb");
        builder.Property(v => v.Modules).HasColumnType("text[]");
        builder.HasIndex(v => v.Modules).HasMethod("gin");
    }
}

internal sealed class ModuleIndexEntryConfiguration : IEntityTypeConfiguration<ModuleIndexEntry>
{
    public void Configure(EntityTypeBuilder<ModuleIndexEntry> builder)
    {
        builder.ToTable("module_index");
        builder.HasKey(e => new { e.Module, e.Version });
        builder.Property(e => e.Module).HasMaxLength(1024);
        builder.Property(e => e.Version).HasMaxLength(255);
        builder.HasIndex(e => e.Timestamp);
    }
}

internal sealed class RepositoryFactsConfiguration : IEntityTypeConfiguration<RepositoryFacts>
{
    public void Configure(EntityTypeBuilder<RepositoryFacts> builder)
    {
        builder.ToTable("repository_facts");
        builder.HasKey(r => r.Repository);
        builder.Property(r => r.Repository).HasMaxLength(512);
        builder.Property(r => r.Licence).HasMaxLength(128);
    }
}

internal sealed class FactSyncConfiguration : IEntityTypeConfiguration<FactSync>
{
    public void Configure(EntityTypeBuilder<FactSync> builder)
    {
        builder.ToTable("fact_syncs");
        builder.HasKey(s => s.Kind);
        builder.Property(s => s.Kind).HasMaxLength(32);
        builder.Property(s => s.Source).HasMaxLength(2048);
    }
}
