using Npgsql;

namespace SecureGateway.Coordination;

/// <summary>
/// A query that travels in another command's round trip (<see cref="DatabaseLocks.AcquireAsync"/> sends it after the lock
/// statement, so it reads what is committed once the lock is held): its statement, and how its rows become the result.
/// </summary>
public abstract class BatchedRead
{
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

    internal override async Task ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        result = await read(reader, cancellationToken);
        done = true;
    }
}
