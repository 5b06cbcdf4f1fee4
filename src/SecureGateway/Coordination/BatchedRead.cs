using Microsoft.EntityFrameworkCore;
using Npgsql;
using SecureGateway.Data;

namespace SecureGateway.Coordination;

/// <summary>
/// A query that travels in another command's round trip (<see cref="DatabaseLocks.AcquireAsync"/> sends it after the lock
/// statement, so it reads what is committed once the lock is held): its statement, and how its rows become the result.
/// </summary>
public abstract class BatchedRead
{
    /// <summary>
    /// Sends <paramref name="first"/> (whose result is not read) and then <paramref name="reads"/> in one batch on
    /// <paramref name="connection"/>, one round trip, and reads each result.
    /// </summary>
    internal static async Task RunAsync(NpgsqlConnection connection, NpgsqlBatchCommand? first, IReadOnlyList<BatchedRead> reads, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (first is not null)
        {
            batch.BatchCommands.Add(first);
        }

        foreach (var read in reads)
        {
            batch.BatchCommands.Add(read.Command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; i < reads.Count; i++)
        {
            if (first is not null || i > 0)
            {
                await reader.NextResultAsync(cancellationToken);
            }

            await reads[i].ReadAsync(reader, cancellationToken);
        }
    }

    internal abstract NpgsqlBatchCommand Command { get; }

    internal abstract Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken);
}

/// <inheritdoc cref="BatchedRead"/>
public sealed class BatchedRead<T>(NpgsqlBatchCommand command, Func<NpgsqlDataReader, CancellationToken, Task<T>> read) : BatchedRead
{
    private T? result;
    private bool done;

    /// <summary>The rows read; only once the batch ran.</summary>
    public T Result => done ? result! : throw new InvalidOperationException("the batched read has not run");

    internal override NpgsqlBatchCommand Command => command;

    /// <summary>Runs this read alone, in a round trip of its own on a pooled connection, for callers outside a claim.</summary>
    public Task<T> RunAsync(IDbContextFactory<AuditDbContext> contexts, CancellationToken cancellationToken) =>
        contexts.WithConnectionAsync(
            async connection =>
            {
                await RunAsync(connection, first: null, [this], cancellationToken);
                return Result;
            },
            cancellationToken);

    internal override async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        result = await read(reader, cancellationToken);
        done = true;
    }
}
