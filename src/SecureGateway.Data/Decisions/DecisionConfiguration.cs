using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SecureGateway.Data.Decisions;

internal sealed class DecisionConfiguration : IEntityTypeConfiguration<Decision>
{
    public void Configure(EntityTypeBuilder<Decision> builder)
    {
        builder.ToTable("decisions");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).UseIdentityAlwaysColumn();
        builder.Property(d => d.Time).HasDefaultValueSql("now()");
        builder.Property(d => d.Module).HasMaxLength(1024);
        builder.Property(d => d.Version).HasMaxLength(255);
        builder.Property(d => d.Outcome)
            .HasConversion(o => o.ToString().ToLowerInvariant(), s => Enum.Parse<DecisionOutcome>(s, true))
            .HasMaxLength(16);
        builder.Property(d => d.Reasons).HasColumnType("text[]");
        builder.Property(d => d.ZipHash).HasMaxLength(64);
        builder.Property(d => d.GoModHash).HasMaxLength(64);
        builder.Property(d => d.Actor).HasMaxLength(256);
        builder.Property(d => d.ChecksumDb).HasMaxLength(256);
        builder.Property(d => d.PolicyRevision).HasMaxLength(64);
        builder.Property(d => d.Facts).HasColumnType("jsonb");
        builder.Property(d => d.RuleResults).HasColumnType("jsonb");
        builder.Property(d => d.ChecksumDbTreeHash).HasMaxLength(64);
        builder.Property(d => d.ChainSeq).ValueGeneratedOnAdd();
        builder.Property(d => d.PrevHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.Property(d => d.RowHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.HasIndex(d => d.ChainSeq).IsUnique();
        builder.HasIndex(d => new { d.Module, d.Version, d.Id });
        builder.HasIndex(d => d.Time);
    }
}
