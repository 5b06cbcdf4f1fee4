using Microsoft.Extensions.Caching.Memory;
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
/// Every tile, cached or not, is re-authenticated by <see cref="TileHashReader"/> against the head in use. Tiles read
/// for proofs are also held in memory (every admission's proof reads several), for the history since the last reset
/// (<see cref="Follow"/>): a reset by the CLI, another process, empties the disk and this memory with it.
/// </summary>
public sealed class ChecksumDbTiles(IUpstream database, string cacheDirectory) : ITileReader, IDisposable
{
    public const int TileHeight = 8;
    private const int FullTileBytes = (1 << TileHeight) * TlogHash.Size;
    private const long MemoryBytes = 16 << 20;

    private readonly MemoryCache memory = new(new MemoryCacheOptions { SizeLimit = MemoryBytes });
    private readonly Lock following = new();
    private (bool Known, long? Event) history;

    public int Height => TileHeight;

    public void Dispose() => memory.Dispose();

    /// <summary>The same tiles, always fetched from the database; kept only if <see cref="PendingTiles.Commit"/> is called.</summary>
    public PendingTiles FromDatabase() => new(database, cacheDirectory);

    public async ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
    {
        var data = new byte[tiles.Count][];
        var missing = new List<Task>();
        for (var i = 0; i < tiles.Count; i++)
        {
            if (RememberedTile(tiles[i]) is { } cached)
            {
                data[i] = cached;
            }
            else
            {
                var at = i;
                missing.Add(FetchIntoAsync(database, tiles[at], data, at, cancellationToken));
            }
        }

        await Task.WhenAll(missing);
        return data;
    }

    public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data) => Save(cacheDirectory, tiles, data);

    /// <summary>
    /// The history in use begins at fork-or-reset event <paramref name="lastReset"/> (null: none ever): when that is not
    /// the one the remembered tiles were read under, they are forgotten (the reset emptied the disk they came from).
    /// </summary>
    public void Follow(long? lastReset)
    {
        lock (following)
        {
            if (history.Known && history.Event != lastReset)
            {
                memory.Clear();
            }

            history = (true, lastReset);
        }
    }

    /// <summary>Forgets every cached tile: after an operator resets the trusted head, they may belong to the abandoned history.</summary>
    public void Clear()
    {
        memory.Clear();
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

    /// <summary><see cref="CachedTile"/> through memory: memory holds what the disk held (the first authenticated copy), read once.</summary>
    private byte[]? RememberedTile(Tile tile)
    {
        var path = tile.Path();
        if (memory.TryGetValue(path, out byte[]? remembered))
        {
            return remembered;
        }

        if (CachedTile(tile) is not { } data)
        {
            return null;
        }

        memory.Set(path, data, new MemoryCacheEntryOptions { Size = data.Length });
        return data;
    }

    /// <summary>Fetches one tile into <paramref name="data"/>[<paramref name="index"/>]: the missing tiles of a proof are fetched at once.</summary>
    private static async Task FetchIntoAsync(IUpstream database, Tile tile, byte[][] data, int index, CancellationToken cancellationToken) =>
        data[index] = await FetchAsync(database, tile, cancellationToken);

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
            await Task.WhenAll(tiles.Select((tile, i) => FetchIntoAsync(database, tile, data, i, cancellationToken)));
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
