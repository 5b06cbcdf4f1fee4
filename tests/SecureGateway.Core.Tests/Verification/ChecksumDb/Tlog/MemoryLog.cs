using System.Globalization;
using System.Text;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Tlog;

using Tlog = SecureGateway.Verification.ChecksumDb.Tlog;

/// <summary>A log held in memory: the stored-hash array built with Tlog.StoredHashes, read as Go's testHashStorage.</summary>
internal sealed class MemoryLog : IHashReader
{
    private readonly List<TlogHash> stored = [];
    private readonly List<TlogHash> recordHashes = [];

    public long N => recordHashes.Count;

    public IReadOnlyList<TlogHash> Stored => stored;

    public IReadOnlyList<TlogHash> RecordHashes => recordHashes;

    public static byte[] Leaf(long i) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"leaf {i}"));

    /// <summary>A log of records "leaf 0" … "leaf n-1", as in Go's tests and the doc's computed vectors.</summary>
    public static MemoryLog OfLeaves(long n)
    {
        var log = new MemoryLog();
        for (long i = 0; i < n; i++)
        {
            log.Add(Leaf(i));
        }
        return log;
    }

    /// <summary>Appends a record with the synchronous path; returns the hashes it stored.</summary>
    public IReadOnlyList<TlogHash> Add(byte[] data)
    {
        TlogHash recordHash = Tlog.RecordHash(data);
        IReadOnlyList<TlogHash> hashes = Tlog.StoredHashesForRecordHash(N, recordHash, index => stored[checked((int)index)]);
        stored.AddRange(hashes);
        recordHashes.Add(recordHash);
        return hashes;
    }

    /// <summary>Appends a record with the asynchronous path, reading earlier hashes through this reader.</summary>
    public async Task<IReadOnlyList<TlogHash>> AddAsync(byte[] data)
    {
        IReadOnlyList<TlogHash> hashes = await Tlog.StoredHashesAsync(N, data, this, CancellationToken.None);
        stored.AddRange(hashes);
        recordHashes.Add(Tlog.RecordHash(data));
        return hashes;
    }

    public ValueTask<IReadOnlyList<TlogHash>> ReadHashesAsync(IReadOnlyList<long> indexes, CancellationToken cancellationToken)
    {
        // Not required of readers, but the functions under test must only ask in increasing order (as Go's test checks).
        for (int i = 1; i < indexes.Count; i++)
        {
            if (indexes[i - 1] >= indexes[i])
            {
                throw new InvalidOperationException("indexes out of order");
            }
        }
        var hashes = new TlogHash[indexes.Count];
        for (int i = 0; i < indexes.Count; i++)
        {
            hashes[i] = stored[checked((int)indexes[i])];
        }
        return ValueTask.FromResult<IReadOnlyList<TlogHash>>(hashes);
    }
}

/// <summary>
/// A tile server over a <see cref="MemoryLog"/> (Go's testTree as TileReader): serves tile data computed from the
/// stored hashes, optionally tampered, and records what it was asked to save.
/// </summary>
internal sealed class MemoryTileServer(MemoryLog log, int height) : ITileReader
{
    public int Height => height;

    /// <summary>Rewrites the data of a served tile (a copy) before it is returned; null serves honest tiles.</summary>
    public Func<Tile, byte[], byte[]>? Tamper { get; init; }

    public int Reads { get; private set; }

    /// <summary>Tiles served but not yet saved (Go's testTilesStorage.unsaved).</summary>
    public int Unsaved { get; private set; }

    public List<Tile> Saved { get; } = [];

    public async ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
    {
        Reads++;
        var data = new byte[tiles.Count][];
        for (int i = 0; i < tiles.Count; i++)
        {
            byte[] tile = await Tile.ReadTileDataAsync(tiles[i], log, cancellationToken);
            data[i] = Tamper is null ? tile : Tamper(tiles[i], tile);
        }
        Unsaved += tiles.Count;
        return data;
    }

    public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data)
    {
        Assert.Equal(tiles.Count, data.Count);
        Unsaved -= tiles.Count;
        Saved.AddRange(tiles);
    }

    /// <summary>
    /// Go's zeroIndex: zeroes the hash at the stored index in the tile holding it, or, above the tile's bottom row,
    /// the bottom-row hashes it is computed from.
    /// </summary>
    public static Func<Tile, byte[], byte[]> ZeroIndex(int height, long index)
    {
        (Tile target, int start, int end) = Tile.ForIndexRange(height, index);
        return (tile, data) =>
        {
            if (tile.H != target.H || tile.L != target.L || tile.N != target.N || end > data.Length)
            {
                return data;
            }
            byte[] copy = (byte[])data.Clone();
            Array.Clear(copy, start, end - start);
            return copy;
        };
    }
}
