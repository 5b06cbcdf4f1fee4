using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SecureGateway.Audit;
using SecureGateway.Data;
using SecureGateway.Data.Decisions;
using SecureGateway.Data.Events;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Audit;

/// <summary>A fresh, migrated audit database with the gateway's own audit classes on it, and a way around its triggers.</summary>
internal sealed class AuditStore : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private AuditStore(ServiceProvider provider, string connectionString)
    {
        this.provider = provider;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public IDbContextFactory<AuditDbContext> Contexts => provider.GetRequiredService<IDbContextFactory<AuditDbContext>>();

    public AuditChain Chain => new(Contexts);

    public DecisionLog Decisions => new(Contexts);

    public AuditEventLog Events => new(Contexts);

    public static async Task<AuditStore> CreateAsync(string? connectionString = null)
    {
        connectionString ??= await TestPostgres.CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddDbContextFactory<AuditDbContext>(options => options.UseAuditDatabase(connectionString));
        var store = new AuditStore(services.BuildServiceProvider(), connectionString);
        await using var db = await store.Contexts.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        return store;
    }

    public static Decision NewDecision(string module = "example.com/m", string version = "v1.0.0", DecisionOutcome outcome = DecisionOutcome.Admitted) =>
        new() { Module = module, Version = version, Outcome = outcome, Reasons = [$"reason for {version}"], Actor = "gateway" };

    /// <summary>Records <paramref name="count"/> decisions one after another; returns them in chain order.</summary>
    public async Task<IReadOnlyList<Decision>> RecordDecisionsAsync(int count)
    {
        var recorded = new List<Decision>();
        for (var i = 0; i < count; i++)
        {
            recorded.Add(await Decisions.RecordAsync(NewDecision(version: $"v1.0.{i}"), CancellationToken.None));
        }

        return recorded;
    }

    public Task<AuditEvent> AppendEventAsync(string kind = AuditEventKinds.TokenCreated) =>
        Events.AppendAsync(new AuditEvent { Kind = kind, Actor = "tester", Subject = "subject", Summary = $"{kind} happened" }, CancellationToken.None);

    /// <summary>Runs SQL as the superuser; with <paramref name="bypassTriggers"/> the session's triggers are off, as a tamperer would have them.</summary>
    public Task<int> ExecuteAsync(string sql, bool bypassTriggers = false) => ExecuteAsync(ConnectionString, sql, bypassTriggers);

    public static async Task<int> ExecuteAsync(string connectionString, string sql, bool bypassTriggers = false)
    {
        // Unpooled: session_replication_role must not outlive this session.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        if (bypassTriggers)
        {
            await using var replica = new NpgsqlCommand("SET session_replication_role = replica", connection);
            await replica.ExecuteNonQueryAsync();
        }

        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    public Task<T> ScalarAsync<T>(string sql) => ScalarAsync<T>(ConnectionString, sql);

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => provider.DisposeAsync();
}
