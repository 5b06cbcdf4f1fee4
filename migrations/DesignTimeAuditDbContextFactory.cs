using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using SecureGateway.Data;

namespace SecureGateway.Migrations;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the gateway; no connection is opened.</summary>
internal sealed class DesignTimeAuditDbContextFactory : IDesignTimeDbContextFactory<AuditDbContext>
{
    public AuditDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AuditDbContext>();
        options.UseAuditDatabase("Host=localhost;Database=securegateway");
        return new AuditDbContext(options.Options);
    }
}
