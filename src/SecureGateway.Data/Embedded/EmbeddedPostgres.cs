using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SecureGateway.Data.Embedded;

/// <summary>
/// A private PostgreSQL cluster run from the machine's installed server binaries: what <c>serve</c> uses
/// when no connection string is configured, and what tests use for a throwaway real database.
/// </summary>
/// <remarks>
/// Start: find the binaries, create the cluster once (initdb, when PG_VERSION is absent), deal with what a
/// previous run left (a server still running, a stale postmaster.pid), then <c>pg_ctl start</c> on a free
/// 127.0.0.1 port with no Unix socket. Password authentication only; the superuser password lives in
/// <c>superuser.password</c> (0600) in the data directory. As root, the cluster belongs to and runs as the
/// <c>postgres</c> system user. One instance per data directory at a time.
/// </remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private readonly ClusterControl _cluster;
    private readonly string _password;
    private readonly ILogger _logger;
    private readonly EventHandler _stopOnProcessExit;

    /// <summary>False when this instance joined a server another process started: that process stops it.</summary>
    private readonly bool _owned;
    private int _disposed;

    private EmbeddedPostgres(ClusterControl cluster, string password, int port, ILogger logger, bool owned)
    {
        _cluster = cluster;
        _password = password;
        _logger = logger;
        Port = port;
        ConnectionString = ConnectionStringFor("postgres");

        // Safety net for a host that never disposes (a test run that forgot to): the server lives in its
        // own session and would outlive us. Only a signal (-W), as the runtime does not wait long here.
        _stopOnProcessExit = (_, _) => StopAsync(wait: false).GetAwaiter().GetResult();
        _owned = owned;
        if (owned)
        {
            AppDomain.CurrentDomain.ProcessExit += _stopOnProcessExit;
        }
    }

    /// <summary>Npgsql connection string for the superuser, database <c>postgres</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>The 127.0.0.1 port the server listens on, chosen at start.</summary>
    public int Port { get; }

    /// <summary>The cluster's data directory (full path).</summary>
    public string DataDirectory => _cluster.DataDirectory;

    /// <inheritdoc cref="StartAsync(string, EmbeddedPostgresOptions, ILogger, CancellationToken)"/>
    public static Task<EmbeddedPostgres> StartAsync(string dataDirectory, ILogger logger, CancellationToken ct) =>
        StartAsync(dataDirectory, new EmbeddedPostgresOptions(), logger, ct);

    /// <summary>Starts the cluster in <paramref name="dataDirectory"/> (created, with initdb, if needed) and waits until it accepts connections.</summary>
    /// <exception cref="PostgresBinariesNotFoundException">No PostgreSQL server installation was found.</exception>
    /// <exception cref="EmbeddedPostgresException">initdb or pg_ctl failed; the message says why, with the server log's tail.</exception>
    public static async Task<EmbeddedPostgres> StartAsync(
        string dataDirectory, EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(
                "The embedded PostgreSQL runs on Linux and macOS only; set ConnectionStrings:Audit instead.");
        }

        var binaries = await PostgresBinaries.LocateAsync(options.BinDirectory, ct).ConfigureAwait(false);
        var account = await ServerAccount.ResolveAsync(ct).ConfigureAwait(false);
        var cluster = new ClusterControl(binaries, account, Path.GetFullPath(dataDirectory), options);

        if (!cluster.IsInitialized)
        {
            EmbeddedPostgresLog.Initializing(logger, cluster.DataDirectory, account.Name);
            var elapsed = Stopwatch.StartNew();
            await cluster.InitializeAsync(logger, ct).ConfigureAwait(false);
            EmbeddedPostgresLog.Initialized(logger, cluster.DataDirectory, elapsed.ElapsedMilliseconds, SuperuserPassword.FileName);
        }

        var password = SuperuserPassword.Read(cluster.DataDirectory);
        if (options.JoinRunning
            && PostmasterPidFile.Inspect(cluster.DataDirectory).State == LeftoverServer.Running
            && PostmasterPidFile.Port(cluster.DataDirectory) is { } runningPort)
        {
            EmbeddedPostgresLog.Joined(logger, cluster.DataDirectory, runningPort);
            return new EmbeddedPostgres(cluster, password, runningPort, logger, owned: false);
        }

        await cluster.HandleLeftoverAsync(logger, ct).ConfigureAwait(false);
        if (!options.Durable)
        {
            EmbeddedPostgresLog.NotDurable(logger);
        }

        var port = await cluster.StartAsync(logger, ct).ConfigureAwait(false);
        EmbeddedPostgresLog.Started(logger, cluster.Version, cluster.DataDirectory, port, account.Name, binaries.BinDirectory);
        return new EmbeddedPostgres(cluster, password, port, logger, owned: true);
    }

    /// <summary>Npgsql connection string for the superuser and <paramref name="database"/>.</summary>
    public string ConnectionStringFor(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = ClusterControl.Superuser,
            Password = _password,
            Database = database,
        }.ConnectionString;
    }

    /// <summary>
    /// Npgsql connection string for the login role <paramref name="role"/> and <paramref name="database"/>. The role's
    /// password is generated at first use and kept beside the superuser's (0600, <c>{role}.password</c>), so every
    /// process on this cluster uses the same one; creating the role with it is the caller's work.
    /// </summary>
    public string ConnectionStringFor(string database, string role)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentException.ThrowIfNullOrEmpty(role);
        var path = Path.Combine(DataDirectory, $"{role}.password");
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            // Written aside and moved without overwriting: a process racing this one keeps whichever landed first.
            var pending = $"{path}.{Environment.ProcessId}.new";
            File.Delete(pending);
            SuperuserPassword.WriteFile(pending, SuperuserPassword.Generate());
            try
            {
                File.Move(pending, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(pending);
            }
        }

        return new NpgsqlConnectionStringBuilder(ConnectionStringFor(database))
        {
            Username = role,
            Password = File.ReadAllText(path).Trim(),
        }.ConnectionString;
    }

    /// <summary>Creates <paramref name="database"/> unless it exists (also when another caller creates it at the same time).</summary>
    public async Task CreateDatabaseAsync(string database, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        var connection = new NpgsqlConnection(ConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);

            var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
            {
                Parameters = { new NpgsqlParameter { Value = database } },
            };
            await using (exists.ConfigureAwait(false))
            {
                if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not null)
                {
                    return;
                }
            }

            // CREATE DATABASE takes no parameters; the name goes in as a quoted identifier.
            var create = new NpgsqlCommand($"CREATE DATABASE {QuoteIdentifier(database)}", connection);
            await using (create.ConfigureAwait(false))
            {
                try
                {
                    await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                catch (PostgresException e) when (IsDuplicateDatabase(e))
                {
                    // Created meanwhile by someone else: the outcome wanted.
                }
            }
        }
    }

    /// <summary>Stops the server (<c>pg_ctl stop -m fast</c>) and waits for it. Safe to call more than once; never throws (failures are logged).</summary>
    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= _stopOnProcessExit;
        await StopAsync(wait: true).ConfigureAwait(false);
    }

    private async Task StopAsync(bool wait)
    {
        if (!_owned || Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await _cluster.StopAsync(wait, CancellationToken.None).ConfigureAwait(false);
            EmbeddedPostgresLog.Stopped(_logger, _cluster.DataDirectory);
        }
        catch (Exception e) when (e is EmbeddedPostgresException or TimeoutException or IOException)
        {
            EmbeddedPostgresLog.StopFailed(_logger, e, _cluster.DataDirectory);
        }
    }

    /// <summary>
    /// 42P04 when the database existed as CREATE DATABASE began; a unique violation on pg_database's name
    /// index when another CREATE DATABASE of the same name committed while this one ran.
    /// </summary>
    private static bool IsDuplicateDatabase(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.DuplicateDatabase
        || (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "pg_database_datname_index");

    private static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
