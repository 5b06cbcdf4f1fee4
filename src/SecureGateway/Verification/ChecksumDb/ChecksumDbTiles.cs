using SecureGateway.Observability;
using SecureGateway.Upstream;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// Hash tiles of one checksum database. A tile's content is fixed by its path within one history (partial tiles
/// carry their width), so every tile authenticated against a signed head is kept on disk. Reads for heads the
/// gateway already trusts come from that cache first; reads for a newly seen head come from the database
/// (<see cref="FromDatabase"/>), so a forked database cannot hide behind our cache nor our cache behind it. Tiles
/// authenticated against a head not yet proven consistent with the trusted one are held apart until it is: a forked
/// history's tiles never reach the cache (nor the go clients it serves through <c>/sumdb/</c>).
/// Every tile, cached or not, is re-authenticated by <see cref="TileHashReader"/> against the head in use.
/// </summary>
public sealed class ChecksumDbTiles(IUpstream database, string cacheDirectory) : ITileReader
{
    public const int TileHeight = 8;
    private const int FullTileBytes = (1 << TileHeight) * TlogHash.Size;

    public int Height => TileHeight;

    /// <summary>The same tiles, always fetched from the database; kept only if <see cref="PendingTiles.Commit"/> is called.</summary>
    public PendingTiles FromDatabase() => new(database, cacheDirectory);

    public async ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
    {
        var data = new byte[tiles.Count][];
        for (var i = 0; i < tiles.Count; i++)
        {
            data[i] = CachedTile(tiles[i]) ?? await FetchAsync(database, tiles[i], cancellationToken);
        }

        return data;
    }

    public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data) => Save(cacheDirectory, tiles, data);

    /// <summary>Forgets every cached tile: after an operator resets the trusted head, they may belong to the abandoned history.</summary>
    public void Clear()
    {
        if (Directory.Exists(cacheDirectory))
        {
            Directory.Delete(cacheDirectory, recursive: true);
        }
    }

    /// <summary>A tile authenticated earlier, for serving to go clients through the <c>/sumdb/</c> proxy.</summary>
    public byte[]? CachedTile(Tile tile)
    {
        var file = CachePath(cacheDirectory, tile);
        return File.Exists(file) ? File.ReadAllBytes(file) : null;
    }

    private static async Task<byte[]> FetchAsync(IUpstream database, Tile tile, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var fetch = await database.FetchAsync(tile.Path(), body, FullTileBytes, cancellationToken);
        ChecksumDbMetrics.TileFetched();
        return fetch.IsOk
            ? body.ToArray()
            : throw new ChecksumDbUnavailableException($"checksum DB tile {tile.Path()}: {fetch.Detail}");
    }

    /// <summary>First authenticated copy wins: a later, different copy of the same path can only come from another history.</summary>
    private static void Save(string cacheDirectory, IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data)
    {
        for (var i = 0; i < tiles.Count; i++)
        {
            var file = CachePath(cacheDirectory, tiles[i]);
            if (File.Exists(file))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var temp = $"{file}.{Guid.NewGuid():N}.tmp";
            File.WriteAllBytes(temp, data[i]);
            File.Move(temp, file, overwrite: true);
        }
    }

    private static string CachePath(string cacheDirectory, Tile tile) => Path.Combine(cacheDirectory, tile.Path());

    /// <summary>
    /// Tiles read from the database and authenticated against a head that is still being checked: held in memory, and
    /// written to the cache by <see cref="Commit"/> only once the head is proven consistent with the trusted one.
    /// </summary>
    public sealed class PendingTiles : ITileReader
    {
        private readonly IUpstream database;
        private readonly string cacheDirectory;
        private readonly List<(IReadOnlyList<Tile> Tiles, IReadOnlyList<byte[]> Data)> authenticated = [];

        internal PendingTiles(IUpstream database, string cacheDirectory) => (this.database, this.cacheDirectory) = (database, cacheDirectory);

        public int Height => TileHeight;

        public async ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
        {
            var data = new byte[tiles.Count][];
            for (var i = 0; i < tiles.Count; i++)
            {
                data[i] = await FetchAsync(database, tiles[i], cancellationToken);
            }

            return data;
        }

        public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data) => authenticated.Add((tiles, data));

        public void Commit()
        {
            foreach (var (tiles, data) in authenticated)
            {
                Save(cacheDirectory, tiles, data);
            }

            authenticated.Clear();
        }
    }
}

/// <summary>The checksum database could not be asked (unreachable, failing, or answering garbage); retry later.</summary>
public sealed class ChecksumDbUnavailableException(string message) : Exception(message);
