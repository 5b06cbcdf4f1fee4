using System.Collections.Concurrent;
using System.Numerics;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// The hashes inside tiles, computed once per tile's bytes. A record proof reads a stored hash at every level of a few
/// tiles, each one up to 2^H − 1 SHA-256 computations from the tile's data (about 750 per proof at height 8), and
/// successive proofs read mostly the same tiles. A memo of <see cref="Tile.HashFromTile"/> and nothing more: an entry
/// answers only for byte-identical data, so it vouches for no tile; <see cref="TileHashReader"/> authenticates every
/// tile it reads against the tree hash, through these hashes.
/// </summary>
public sealed class TileHashes
{
    // Beyond this many tiles (about 16 KB each at height 8, with their data) the memo starts again.
    private const int MaxTiles = 512;

    private readonly ConcurrentDictionary<Tile, HashedTile> tiles = new();
    private long computed;

    /// <summary>How many tiles' hashes were computed rather than found here.</summary>
    public long Computed => Interlocked.Read(ref computed);

    /// <summary><see cref="Tile.HashFromTile"/>, from the memo when <paramref name="data"/> was hashed before.</summary>
    /// <exception cref="TlogException">An invalid tile, too little data, or an index outside the tile.</exception>
    public TlogHash HashFromTile(Tile tile, byte[] data, long storedHashIndex)
    {
        ArgumentNullException.ThrowIfNull(data);
        (int start, int end) = Tile.RangeInTile(tile, data.Length, storedHashIndex);
        return Of(tile, data).Hash(start, end);
    }

    /// <summary>The hash of a whole full tile's data: the stored hash its parent tile holds for it.</summary>
    public TlogHash TileHash(Tile tile, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (tile.W != 1 << tile.H || data.Length != tile.W * TlogHash.Size)
        {
            throw new TlogException($"bad math in tileHashReader: {tile.Path()} is not a full tile of {data.Length} bytes");
        }

        return Of(tile, data).Hash(0, data.Length);
    }

    private HashedTile Of(Tile tile, byte[] data)
    {
        if (tiles.TryGetValue(tile, out var known) && known.Holds(data))
        {
            return known;
        }

        // A copy: the memo must not change with an array the caller may reuse.
        var hashed = new HashedTile(data[..(tile.W * TlogHash.Size)]);
        Interlocked.Increment(ref computed);
        if (tiles.Count >= MaxTiles)
        {
            tiles.Clear();
        }

        tiles[tile] = hashed;
        return hashed;
    }

    /// <summary>
    /// A tile's data and every hash above it inside the tile: <c>levels[k]</c> holds the hashes of each aligned run of
    /// 2^k of its hashes (<c>levels[0]</c> is the data itself).
    /// </summary>
    private sealed class HashedTile
    {
        private readonly byte[][] levels;

        public HashedTile(byte[] data)
        {
            var built = new List<byte[]> { data };
            for (var below = data; below.Length >= 2 * TlogHash.Size; below = built[^1])
            {
                var above = new byte[below.Length / (2 * TlogHash.Size) * TlogHash.Size];
                for (var i = 0; i < above.Length; i += TlogHash.Size)
                {
                    Tlog.NodeHash(below.AsSpan(2 * i, 2 * TlogHash.Size), above.AsSpan(i, TlogHash.Size));
                }

                built.Add(above);
            }

            levels = [.. built];
        }

        /// <summary>Whether <paramref name="data"/> (at least as long as the tile's) begins with the tile's bytes hashed here.</summary>
        public bool Holds(byte[] data) => levels[0].AsSpan().SequenceEqual(data.AsSpan(0, levels[0].Length));

        /// <summary>The hash of the data's bytes [<paramref name="start"/>, <paramref name="end"/>): 2^k hashes, aligned.</summary>
        public TlogHash Hash(int start, int end)
        {
            int count = (end - start) / TlogHash.Size;
            int level = BitOperations.Log2((uint)count);
            return TlogHash.FromBytes(levels[level].AsSpan(start / count, TlogHash.Size));
        }
    }
}
