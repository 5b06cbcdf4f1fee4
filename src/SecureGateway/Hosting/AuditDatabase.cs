using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
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
    public const string MigrationConnectionName = "AuditMigration";
    private const string EmbeddedDatabaseName = "securegateway";

    // An admission runs about a dozen distinct statements; reports and the console add a few more.
    private const int AutoPreparedStatements = 32;

    private EmbeddedPostgres? embedded;
    private string? connectionString;
    private string? migrationConnectionString;

    /// <summary>The runtime account the gateway serves with.</summary>
    public string ConnectionString =>
        connectionString ?? throw new InvalidOperationException("The audit database is used before it was started.");

    /// <summary>The account that owns the schema: the migration role when there is one, else the runtime account.</summary>
    public string MigrationConnectionString => migrationConnectionString ?? ConnectionString;

    /// <summary>Why the runtime account could rewrite the audit trail (it owns the tables, or is a superuser); null when it cannot.</summary>
    public string? RuntimeWeakness { get; private set; }

    /// <summary>
    /// Connects (starting the embedded cluster if needed), applies pending migrations as the migration role and grants the
    /// runtime role what serving needs. Two roles: <c>ConnectionStrings:AuditMigration</c> (owner) and
    /// <c>ConnectionStrings:Audit</c> (runtime); the embedded cluster migrates as its superuser and serves as
    /// <see cref="AuditRoles.EmbeddedRuntimeRole"/>. With <c>Audit</c> alone, one account does both (and
    /// <see cref="RuntimeWeakness"/> says so).
    /// </summary>
    /// <remarks>
    /// The context factory is resolved only afterwards: its options need the connection string. With
    /// <paramref name="joinRunningServer"/> (CLI commands beside a running gateway) an embedded server already running is used, not restarted.
    /// </remarks>
    public async Task StartAsync(bool joinRunningServer, CancellationToken cancellationToken)
    {
        connectionString = configuration.GetConnectionString(ConnectionName);
        migrationConnectionString = configuration.GetConnectionString(MigrationConnectionName) is { Length: > 0 } migration ? migration : null;
        var embeddedRoles = false;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var directory = Path.GetFullPath(Path.Combine(options.Value.DataDir, "postgres"));
            embedded = await EmbeddedPostgres.StartAsync(directory, new EmbeddedPostgresOptions { JoinRunning = joinRunningServer }, logger, cancellationToken);
            await embedded.CreateDatabaseAsync(EmbeddedDatabaseName, cancellationToken);
            migrationConnectionString = embedded.ConnectionStringFor(EmbeddedDatabaseName);
            connectionString = embedded.ConnectionStringFor(EmbeddedDatabaseName, AuditRoles.EmbeddedRuntimeRole);
            embeddedRoles = true;
            LogEmbedded(directory);
        }

        var ownerOptions = new DbContextOptionsBuilder<AuditDbContext>();
        ownerOptions.UseAuditDatabase(MigrationConnectionString);
        await using (var owner = new AuditDbContext(ownerOptions.Options))
        {
            await owner.Database.MigrateAsync(cancellationToken);
            var applied = await owner.Database.GetAppliedMigrationsAsync(cancellationToken);
            LogMigrated(applied);
        }

        if (migrationConnectionString is not null)
        {
            await AuditRoles.GrantRuntimeAsync(migrationConnectionString, connectionString, setPassword: embeddedRoles, cancellationToken);
        }

        RuntimeWeakness = await AuditRoles.RuntimeWeaknessAsync(connectionString, cancellationToken);
        if (RuntimeWeakness is not null)
        {
            LogWeakness(RuntimeWeakness);
        }

        // Only now: with Audit alone the migrations above ran as this account, on the string exactly as configured.
        connectionString = ForServing(connectionString);
    }

    /// <summary>
    /// The runtime pool keeps no session state, so a connection going back to it is not reset: the reset (DISCARD ALL)
    /// cost each admission about seven statements and the re-planning of the audit-chain trigger's queries. Session
    /// advisory locks are taken on <see cref="Coordination.DatabaseLocks"/>' own pool, whose unlock ends every one of the
    /// session's; transaction locks and SET LOCAL end with their transaction, which Npgsql rolls back on return if it is
    /// still open.
    /// The statements an admission repeats are prepared on each connection (Npgsql's automatic preparation), unless the
    /// connection string says otherwise (a pooler that cannot keep prepared statements: <c>Max Auto Prepare=0</c>).
    /// </summary>
    internal static string ForServing(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var serving = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            serving.MaxAutoPrepare = AutoPreparedStatements;
        }

        return serving.ConnectionString;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit trail not protected from its own database account: {Weakness}; give the gateway a runtime role (ConnectionStrings:Audit) and the schema owner as ConnectionStrings:AuditMigration")]
    private partial void LogWeakness(string weakness);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit database schema is current; migrations: [{Migrations}]")]
    private partial void LogMigrated(IEnumerable<string> migrations);
}
