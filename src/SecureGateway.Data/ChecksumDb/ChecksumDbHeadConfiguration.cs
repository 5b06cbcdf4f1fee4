using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SecureGateway.Data.ChecksumDb;

internal sealed class ChecksumDbHeadConfiguration : IEntityTypeConfiguration<ChecksumDbHead>
{
    public void Configure(EntityTypeBuilder<ChecksumDbHead> builder)
    {
        builder.ToTable("checksum_db_heads");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).UseIdentityAlwaysColumn();
        builder.Property(h => h.Database).HasMaxLength(256);
        builder.Property(h => h.TreeHash).HasMaxLength(64);
        builder.Property(h => h.VerifiedAt).HasDefaultValueSql("now()");
        builder.HasIndex(h => new { h.Database, h.Id });
        builder.Property(h => h.ChainSeq).ValueGeneratedOnAdd();
        builder.Property(h => h.PrevHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.Property(h => h.RowHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.HasIndex(h => h.ChainSeq).IsUnique();
    }
}
