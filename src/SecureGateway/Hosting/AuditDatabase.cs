using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SecureGateway.Data;
using SecureGateway.Data.Embedded;

namespace SecureGateway.Hosting;

/// <summary>
/// Where decisions are recorded: <c>ConnectionStrings:Audit</c> when set, else a private PostgreSQL cluster
/// under <c>{DataDir}/postgres</c> started from the machine's binaries and stopped when the gateway stops.
/// </summary>
public sealed partial class AuditDatabase(IConfiguration configuration, IOptions<GatewayOptions> options, ILogger<AuditDatabase> logger) : IAsyncDisposable
{
    public const string ConnectionName = "Audit";
    private const string EmbeddedDatabaseName = "securegateway";

    private EmbeddedPostgres? embedded;
    private string? connectionString;

    public string ConnectionString =>
        connectionString ?? throw new InvalidOperationException("The audit database is used before it was started.");

    /// <summary>Connects (starting the embedded cluster if needed) and applies pending migrations.</summary>
    /// <remarks>
    /// The context factory is resolved only afterwards: its options need the connection string. With
    /// <paramref name="joinRunningServer"/> (CLI commands beside a running gateway) an embedded server already running is used, not restarted.
    /// </remarks>
    public async Task StartAsync(IServiceProvider services, bool joinRunningServer, CancellationToken cancellationToken)
    {
        connectionString = configuration.GetConnectionString(ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var directory = Path.GetFullPath(Path.Combine(options.Value.DataDir, "postgres"));
            embedded = await EmbeddedPostgres.StartAsync(directory, new EmbeddedPostgresOptions { JoinRunning = joinRunningServer }, logger, cancellationToken);
            await embedded.CreateDatabaseAsync(EmbeddedDatabaseName, cancellationToken);
            connectionString = embedded.ConnectionStringFor(EmbeddedDatabaseName);
            LogEmbedded(directory);
        }

        var contexts = services.GetRequiredService<IDbContextFactory<AuditDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
        var applied = await db.Database.GetAppliedMigrationsAsync(cancellationToken);
        LogMigrated(applied);
    }

    public async ValueTask DisposeAsync()
    {
        if (embedded is not null)
        {
            await embedded.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ConnectionStrings:Audit is not set: recording decisions in the embedded PostgreSQL cluster in {Directory}")]
    private partial void LogEmbedded(string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit database schema is current; migrations: [{Migrations}]")]
    private partial void LogMigrated(IEnumerable<string> migrations);
}
