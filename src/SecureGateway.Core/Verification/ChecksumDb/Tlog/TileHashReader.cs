namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// Reads stored hashes of <paramref name="tree"/> from its tiles (Go's <c>TileHashReader</c>). Every call fetches the
/// tiles holding the requested hashes plus those needed to recompute the tree hash, authenticates them all against
/// <see cref="TreeHead.Hash"/> (parents before children), and only then saves them and returns hashes: any hash it
/// returns is proven to be in the tree.
/// </summary>
/// <remarks>
/// The hashes inside the tiles come from a <see cref="TileHashes"/> memo, which may be shared by the readers of many
/// trees: a tile's bytes are hashed once, and still authenticated against this tree on every call.
/// </remarks>
/// <exception cref="TlogException">From <see cref="ReadHashesAsync"/>: "downloaded inconsistent tile", "indexes not in tree", …</exception>
public sealed class TileHashReader(TreeHead tree, ITileReader tiles, TileHashes? hashes = null) : IHashReader
{
    private const string Inconsistent = "downloaded inconsistent tile";

    private readonly TreeHead tree = tree ?? throw new ArgumentNullException(nameof(tree));
    private readonly ITileReader tiles = tiles ?? throw new ArgumentNullException(nameof(tiles));
    private readonly TileHashes hashes = hashes ?? new();

    public async ValueTask<IReadOnlyList<TlogHash>> ReadHashesAsync(IReadOnlyList<long> indexes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexes);
        int h = tiles.Height;
        if (h < 1 || h > 30)
        {
            throw new TlogException($"invalid tile height {h}");
        }
        long n = tree.N;
        long limit = Tlog.StoredHashIndex(0, n);
        foreach (long x in indexes)
        {
            if (x < 0 || x >= limit)
            {
                throw new TlogException("indexes not in tree");
            }
        }
        if (n == 0)
        {
            return [];
        }

        var order = new Dictionary<Tile, int>(); // order[plan[i]] == i
        var plan = new List<Tile>();

        // First the tiles that recompute the tree hash: when it matches, they are authenticated.
        List<long> stx = Tlog.SubtreeIndexes(0, n, []);
        var stxTile = new int[stx.Count]; // stx[i] is in plan[stxTile[i]]
        for (int i = 0; i < stx.Count; i++)
        {
            Tile tile = Parent(Tile.ForIndexRange(h, stx[i]).Tile, 0, n);
            if (!order.TryGetValue(tile, out int j))
            {
                j = plan.Count;
                order[tile] = j;
                plan.Add(tile);
            }
            stxTile[i] = j;
        }

        // Then the tiles holding the indexes, each after the parent tiles that authenticate it.
        var indexTile = new int[indexes.Count]; // indexes[i] is in plan[indexTile[i]]
        for (int i = 0; i < indexes.Count; i++)
        {
            Tile tile = Tile.ForIndexRange(h, indexes[i]).Tile;
            // Walk up to the first tile already planned; it will be authenticated.
            int k = 0;
            for (; ; k++)
            {
                if (k > 64)
                {
                    throw new TlogException($"bad math in tileHashReader: {n} {indexes[i]}: no planned parent");
                }
                if (order.TryGetValue(Parent(tile, k, n), out int j))
                {
                    if (k == 0)
                    {
                        indexTile[i] = j;
                    }
                    break;
                }
            }
            // Walk back down, planning each child after its parent; ends at the index's own tile unless k == 0.
            for (k--; k >= 0; k--)
            {
                Tile p = Parent(tile, k, n);
                if (p.W != 1 << p.H)
                {
                    // This tile has a parent, so it must be full.
                    throw new TlogException($"bad math in tileHashReader: {n} {indexes[i]} {p}");
                }
                order[p] = plan.Count;
                if (k == 0)
                {
                    indexTile[i] = plan.Count;
                }
                plan.Add(p);
            }
        }

        IReadOnlyList<byte[]> data = await tiles.ReadTilesAsync(plan, cancellationToken).ConfigureAwait(false);
        if (data is null || data.Count != plan.Count)
        {
            throw new TlogException($"TileReader returned bad result slice (len={data?.Count ?? 0}, want {plan.Count})");
        }
        for (int i = 0; i < plan.Count; i++)
        {
            int want = plan[i].W * TlogHash.Size;
            if (data[i] is null || data[i].Length != want)
            {
                throw new TlogException($"TileReader returned bad result slice ({plan[i].Path()} len={data[i]?.Length ?? 0}, want {want})");
            }
        }

        // Authenticate the tree-hash tiles against the signed hash; they come first in the plan.
        TlogHash th = default;
        for (int i = stx.Count - 1; i >= 0; i--)
        {
            TlogHash sub = hashes.HashFromTile(plan[stxTile[i]], data[stxTile[i]], stx[i]);
            th = i == stx.Count - 1 ? sub : Tlog.NodeHash(sub, th);
        }
        if (th != tree.Hash)
        {
            // At least one tile is wrong; we cannot tell which.
            throw new TlogException(Inconsistent);
        }

        // Authenticate the remaining (full) tiles against their already authenticated parents.
        for (int i = stxTile[^1] + 1; i < plan.Count; i++)
        {
            Tile tile = plan[i];
            Tile p = Parent(tile, 1, n);
            if (!order.TryGetValue(p, out int j))
            {
                throw new TlogException($"bad math in tileHashReader {n}: lost parent of {tile.Path()}");
            }
            TlogHash expected = HashOrBadMath(p, data[j], Tlog.StoredHashIndex(p.L * p.H, tile.N));
            if (expected != hashes.TileHash(tile, data[i]))
            {
                throw new TlogException(Inconsistent);
            }
        }

        tiles.SaveTiles(plan, data);

        var read = new TlogHash[indexes.Count];
        for (int i = 0; i < indexes.Count; i++)
        {
            int j = indexTile[i];
            read[i] = HashOrBadMath(plan[j], data[j], indexes[i]);
        }
        return read;

        TlogHash HashOrBadMath(Tile tile, byte[] tileData, long index)
        {
            try
            {
                return hashes.HashFromTile(tile, tileData, index);
            }
            catch (TlogException e)
            {
                throw new TlogException($"bad math in tileHashReader {n}: lost hash {index}: {e.Message}", e);
            }
        }
    }

    /// <summary>The k'th parent of <paramref name="t"/> among the tiles of a tree of size n, or <c>default</c> if there is none.</summary>
    private static Tile Parent(Tile t, int k, long n)
    {
        int level = t.L + k;
        long tileN = Tile.Shr(t.N, k * t.H);
        long width = Tile.FullWidth(t.H);
        long max = Tile.Shr(n, level * t.H);
        long start = Tile.Shl(tileN, t.H);
        if (start + width >= max)
        {
            if (start >= max)
            {
                return default;
            }
            width = max - start;
        }
        return new Tile(t.H, level, tileN, (int)width);
    }
}
