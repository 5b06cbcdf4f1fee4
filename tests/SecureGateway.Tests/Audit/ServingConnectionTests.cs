using Npgsql;
using SecureGateway.Hosting;

namespace SecureGateway.Tests.Audit;

public sealed class ServingConnectionTests
{
    [Fact]
    public void ForServing_PlainConnectionString_NoResetAndPreparedStatements()
    {
        var serving = new NpgsqlConnectionStringBuilder(AuditDatabase.ForServing("Host=db.internal;Username=gateway;Password=p;Database=audit"));

        Assert.True(serving.NoResetOnClose);
        Assert.True(serving.MaxAutoPrepare > 0);
        Assert.Equal("db.internal", serving.Host);
        Assert.Equal("p", serving.Password);
    }

    // An operator behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21) turns
    // them off in the connection string; the gateway must not turn them back on.
    [Theory]
    [InlineData("Host=db;Username=gateway;Max Auto Prepare=0")]
    [InlineData("Host=db;Username=gateway;max auto prepare=0")]
    [InlineData("Host=db;Username=gateway;MaxAutoPrepare=0")]
    public void ForServing_AutoPrepareSetByOperator_Kept(string given)
    {
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(AuditDatabase.ForServing(given)).MaxAutoPrepare);
    }
}
