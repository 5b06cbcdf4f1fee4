namespace SecureGateway.Verification.ChecksumDb;

/// <summary>Reads hashes of the log's tree by stored-hash index (Go's <c>tlog.HashReader</c>).</summary>
public interface IHashReader
{
    /// <summary>
    /// Returns the hashes at the given stored-hash indexes (see <see cref="Tlog.StoredHashIndex"/>), one per index
    /// and in the same order, or throws. Callers in this library always ask in increasing order.
    /// </summary>
    ValueTask<IReadOnlyList<TlogHash>> ReadHashesAsync(IReadOnlyList<long> indexes, CancellationToken cancellationToken);
}
