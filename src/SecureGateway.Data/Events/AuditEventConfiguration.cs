using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace SecureGateway.Data.Events;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.Time).HasDefaultValueSql("now()");
        builder.Property(e => e.Kind).HasMaxLength(64);
        builder.Property(e => e.Actor).HasMaxLength(256);
        builder.Property(e => e.Subject).HasMaxLength(1024);
        builder.Property(e => e.ChainSeq).ValueGeneratedOnAdd();
        builder.Property(e => e.PrevHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.Property(e => e.RowHash).HasMaxLength(64).ValueGeneratedOnAdd();
        builder.HasIndex(e => e.ChainSeq).IsUnique();
        builder.HasIndex(e => new { e.Kind, e.Subject, e.Id });
    }
}
