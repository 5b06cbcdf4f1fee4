using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using SecureGateway.Data;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Ledger;

/// <summary>A fresh, migrated audit database for tests of one service, which can be made unreachable and brought back.</summary>
internal sealed class AuditTestDatabase
{
    private AuditTestDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        Name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var options = new DbContextOptionsBuilder<AuditDbContext>();
        options.UseAuditDatabase(connectionString);
        Contexts = new PooledDbContextFactory<AuditDbContext>(options.Options);
    }

    public string ConnectionString { get; }

    public string Name { get; }

    public IDbContextFactory<AuditDbContext> Contexts { get; }

    public static async Task<AuditTestDatabase> CreateAsync()
    {
        var database = new AuditTestDatabase(await TestPostgres.CreateDatabaseAsync());
        await using var db = await database.Contexts.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        return database;
    }

    /// <summary>A database something else created and migrated, e.g. a <see cref="GatewayInstance"/>'s.</summary>
    public static AuditTestDatabase Of(string connectionString) => new(connectionString);

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Pulls recorded (a row may stand for several identical ones).</summary>
    public Task<long> DownloadCountAsync() => ScalarAsync("SELECT coalesce(sum(count), 0) FROM downloads");

    /// <summary>Refuses new connections and ends the open ones, as a database server going down does for this database.</summary>
    public async Task MakeUnavailableAsync()
    {
        await OnServerAsync($"ALTER DATABASE \"{Name}\" ALLOW_CONNECTIONS false");
        await OnServerAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}' AND pid <> pg_backend_pid()");
    }

    public Task MakeAvailableAsync() => OnServerAsync($"ALTER DATABASE \"{Name}\" ALLOW_CONNECTIONS true");

    private async Task OnServerAsync(string sql)
    {
        var server = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
