using Npgsql;
using NpgsqlTypes;

namespace SecureGateway.Ledger;

/// <summary>Writes ledger entries into <c>downloads</c>, one row each, with one binary COPY per batch.</summary>
public sealed class LedgerDatabase(Func<string> connectionString)
{
    private const string Copy = "COPY downloads (time, last_time, count, module, version, kind, client, user_agent) FROM STDIN (FORMAT BINARY)";

    /// <summary>All entries or none: the COPY is one statement.</summary>
    /// <exception cref="NpgsqlException">The database is unreachable or refused the rows.</exception>
    public async Task WriteAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var import = await connection.BeginBinaryImportAsync(Copy, cancellationToken);
            foreach (var entry in entries)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(entry.Time.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                if (entry.Count == 1)
                {
                    await import.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await import.WriteAsync(entry.LastTime.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                }

                await import.WriteAsync(entry.Count, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(entry.Module, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(entry.Version, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(entry.Kind, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(entry.Client, NpgsqlDbType.Varchar, cancellationToken);
                if (entry.UserAgent is null)
                {
                    await import.WriteNullAsync(cancellationToken);
                }
                else
                {
                    await import.WriteAsync(entry.UserAgent, NpgsqlDbType.Varchar, cancellationToken);
                }
            }

            await import.CompleteAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // Pooled connections to a database that went away are broken; the next attempt should start afresh.
            NpgsqlConnection.ClearPool(connection);
            throw;
        }
    }

    /// <summary>A refusal of the data itself (too long, bad encoding, constraint), which retrying will not change.</summary>
    public static bool IsRejection(Exception e) =>
        e is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state.StartsWith("23", StringComparison.Ordinal));
}
