using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using SecureGateway.Hosting;
using SecureGateway.Modules;

namespace SecureGateway.Coordination;

/// <summary>
/// Locks held across every gateway process on one audit database: PostgreSQL session advisory locks, each on a
/// connection of its own for as long as the work takes (an admission may fetch a 500 MB zip). A process that dies
/// releases its locks with its connections, so a crash never leaves one held.
/// </summary>
public sealed class DatabaseLocks(AuditDatabase database)
{
    private volatile DerivedConnectionString? lockConnectionString;

    /// <summary>One fetch of a version at a time across processes, held for the whole admission (the others take its decision).</summary>
    /// <param name="reads">Run once the lock is held, in the same round trip.</param>
    public Task<DatabaseLock> FetchingAsync(ModuleVersion module, IReadOnlyList<BatchedRead> reads, CancellationToken cancellationToken) =>
        AcquireAsync($"admission:{module}", cancellationToken, reads);

    /// <summary>
    /// Reading a version's current decision and recording the next one, held briefly: a reviewer's act (a revocation)
    /// never waits for a fetch, and an admission finding that an act came meanwhile does not record over it.
    /// </summary>
    public Task<DatabaseLock> DecidingAsync(ModuleVersion module, CancellationToken cancellationToken) =>
        AcquireAsync(DecidingName(module), cancellationToken);

    /// <summary>The key of <see cref="DecidingAsync"/>'s lock, for a statement that takes it for its transaction only.</summary>
    public static long DecidingKey(ModuleVersion module) => Key(DecidingName(module));

    private static string DecidingName(ModuleVersion module) => $"decision:{module}";

    /// <summary>
    /// Waits until no other process (or caller here) holds <paramref name="name"/>, then holds it until disposed.
    /// <paramref name="reads"/> go in the lock's round trip and run once it is held: statements of one batch run in turn.
    /// </summary>
    public async Task<DatabaseLock> AcquireAsync(string name, CancellationToken cancellationToken, IReadOnlyList<BatchedRead>? reads = null)
    {
        // Pooled apart from the other connections (opening one costs a server process and a SCRAM exchange, several per
        // admission). A lock's connection goes back to its pool only after the unlock answered; see DatabaseLock.
        var connection = new NpgsqlConnection(LockConnectionString());
        var key = Key(name);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await BatchedRead.RunAsync(connection, new("SELECT pg_advisory_lock($1)") { Parameters = { new() { Value = key } } }, reads ?? [], cancellationToken);
            return new DatabaseLock(connection);
        }
        catch
        {
            // The lock may be held already (a read failed, or the wait was cancelled as it was granted): the connection is
            // closed, not pooled, so that the lock ends with it.
            NpgsqlConnection.ClearPool(connection);
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The lock pool's connections keep their prepared statements like the runtime pool's (no DISCARD ALL on their way
    /// back, which cost every claim the parsing and planning of its reads): the unlock ends every advisory lock of the
    /// session, and a connection whose unlock failed never goes back.
    /// </summary>
    /// <remarks>Derived once per runtime connection string (it is set while the gateway starts), not on every lock.</remarks>
    private string LockConnectionString()
    {
        var runtime = database.ConnectionString;
        if (lockConnectionString is { } known && ReferenceEquals(known.Runtime, runtime))
        {
            return known.Locks;
        }

        var locks = new NpgsqlConnectionStringBuilder(runtime)
        {
            CommandTimeout = 0, ApplicationName = "securegateway locks", NoResetOnClose = true,
        }.ConnectionString;
        lockConnectionString = new(runtime, locks);
        return locks;
    }

    private sealed record DerivedConnectionString(string Runtime, string Locks);

    /// <summary>The lock's 64-bit key: the first bytes of the name's SHA-256 (advisory locks are numbered, not named).</summary>
    private static long Key(string name) => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}

/// <summary>
/// A held <see cref="DatabaseLocks"/> lock (closing its connection would release it too). <see cref="DisposeAsync"/> releases it and waits for the database to confirm;
/// <see cref="Dispose"/> sends the release without waiting, for a caller whose answer should not wait one more round
/// trip (the lock is free a moment later, and with the connection should the process end first).
/// </summary>
public sealed class DatabaseLock : IAsyncDisposable, IDisposable
{
    private readonly NpgsqlConnection connection;

    internal DatabaseLock(NpgsqlConnection connection) => this.connection = connection;

    public void Dispose() => _ = DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        try
        {
            // All of the session's, not only this key's: nothing held can go back to the pool with the connection.
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
        {
            // The connection is gone, and the lock with it; should it not be, it must not go back to the pool holding it.
            NpgsqlConnection.ClearPool(connection);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
