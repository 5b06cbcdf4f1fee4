using Microsoft.Extensions.Logging.Abstractions;
using SecureGateway.Data.Embedded;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// One real, throwaway PostgreSQL cluster for the whole test run (the same component `serve` embeds),
/// with a fresh database per test. Not durable: fsync off keeps the suite fast.
/// </summary>
internal static class TestPostgres
{
    private static readonly Lazy<Task<EmbeddedPostgres>> Cluster = new(StartAsync);

    public static async Task<string> CreateDatabaseAsync()
    {
        var cluster = await Cluster.Value;
        var name = $"test_{Guid.NewGuid():N}";
        await cluster.CreateDatabaseAsync(name, CancellationToken.None);
        return cluster.ConnectionStringFor(name);
    }

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        var directory = TestRunFolders.For("postgres");
        var cluster = await EmbeddedPostgres.StartAsync(
            directory, new EmbeddedPostgresOptions { Durable = false, MaxConnections = 1000 }, NullLogger.Instance, CancellationToken.None);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            Directory.Delete(directory, recursive: true);
        };
        return cluster;
    }
}
