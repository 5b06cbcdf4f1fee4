using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SecureGateway.Data.Access;

namespace SecureGateway.Data.Ledger;

internal sealed class DownloadConfiguration : IEntityTypeConfiguration<Download>
{
    public void Configure(EntityTypeBuilder<Download> builder)
    {
        // No key and only two cheap indexes: every cached GET adds a row, so each index is paid for on the hot path. The
        // (module, version) btree answers "who pulled it"; time only ever grows, so a BRIN index serves report periods.
        builder.ToTable("downloads");
        builder.HasNoKey();
        builder.Property(d => d.Count).HasDefaultValue(1).HasSentinel(0);
        builder.Property(d => d.Module).HasMaxLength(1024);
        builder.Property(d => d.Version).HasMaxLength(255);
        builder.Property(d => d.Kind).HasMaxLength(8);
        builder.Property(d => d.Client).HasMaxLength(256);
        builder.Property(d => d.UserAgent).HasMaxLength(512);
        builder.HasIndex(d => new { d.Module, d.Version });
        builder.HasIndex(d => d.Time).HasMethod("brin");
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("api_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).UseIdentityAlwaysColumn();
        builder.Property(t => t.Name).HasMaxLength(128);
        // A revoked token keeps its row (the record of who held what); its name may be issued again.
        builder.HasIndex(t => t.Name).IsUnique().HasFilter("revoked_at IS NULL");
        builder.Property(t => t.TokenHash).HasMaxLength(64);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.Property(t => t.Roles).HasColumnType("text[]");
        builder.Property(t => t.CreatedAt).HasDefaultValueSql("now()");
        builder.Property(t => t.CreatedBy).HasMaxLength(256);
        builder.Property(t => t.RevokedBy).HasMaxLength(256);
        builder.Property(t => t.ChainSeq).ValueGeneratedOnAdd();
        builder.Property(t => t.PrevHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.Property(t => t.RowHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.HasIndex(t => t.ChainSeq).IsUnique();
    }
}
