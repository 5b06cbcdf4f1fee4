namespace SecureGateway.Verification.ChecksumDb;

/// <summary>Reads tiles of a checksum database's log (Go's <c>tlog.TileReader</c>).</summary>
public interface ITileReader
{
    /// <summary>The height of the available tiles (8 for sum.golang.org).</summary>
    int Height { get; }

    /// <summary>
    /// The data of each requested tile, one per tile and each exactly <c>W × 32</c> bytes, or throws. Data fetched from
    /// a server is unauthenticated: keep it out of persistent caches until <see cref="SaveTiles"/> is called.
    /// </summary>
    ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken);

    /// <summary>
    /// Called only after the tiles returned by <see cref="ReadTilesAsync"/> were authenticated against the signed tree
    /// hash: they may now be stored persistently.
    /// </summary>
    void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data);
}
