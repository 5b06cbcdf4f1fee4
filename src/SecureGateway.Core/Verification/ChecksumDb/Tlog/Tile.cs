using System.Globalization;
using System.Text;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A tile of the log (Go's <c>tlog.Tile</c>): at level <see cref="L"/> of a tiling of height <see cref="H"/>, the
/// <see cref="W"/> consecutive hashes at tree level H·L starting at offset N·2^H. A complete tile has W = 2^H; the
/// levels above H·L inside the tile are recomputed by hashing. L = -1 is a data tile holding the records themselves.
/// </summary>
/// <param name="H">Height, 1 ≤ H ≤ 30 (8 on sum.golang.org).</param>
/// <param name="L">Level in the tiling, 0 ≤ L ≤ 63, or -1 for a data tile.</param>
/// <param name="N">Number within the level, ≥ 0.</param>
/// <param name="W">Width, 1 ≤ W ≤ 2^H.</param>
public readonly record struct Tile(int H, int L, long N, int W)
{
    // N is written three digits per path element, so no directory has more than 3000 entries.
    private const int PathBase = 1000;

    /// <summary>
    /// The tile coordinate path <c>tile/H/L/NNN[.p/W]</c>: N in 3-digit elements, each but the last prefixed with
    /// 'x' (1234067 → x001/x234/067); <c>.p/W</c> only for partial tiles; "data" for L = -1.
    /// </summary>
    public string Path()
    {
        var groups = new List<string>();
        long n = N;
        groups.Add(FormatGroup(n % PathBase));
        while (n >= PathBase)
        {
            n /= PathBase;
            groups.Add("x" + FormatGroup(n % PathBase));
        }
        groups.Reverse();
        var path = new StringBuilder("tile/");
        path.Append(H.ToString(CultureInfo.InvariantCulture)).Append('/');
        path.Append(L == -1 ? "data" : L.ToString(CultureInfo.InvariantCulture)).Append('/');
        path.AppendJoin('/', groups);
        if (W != FullWidth(H))
        {
            path.Append(".p/").Append(W.ToString(CultureInfo.InvariantCulture));
        }
        return path.ToString();
    }

    // Go's %03d: the sign counts toward the width.
    private static string FormatGroup(long group) =>
        group < 0
            ? "-" + (-group).ToString("D2", CultureInfo.InvariantCulture)
            : group.ToString("D3", CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a tile coordinate path as Go's <c>ParseTilePath</c>: only the canonical path of a tile with
    /// 1 ≤ H ≤ 30, L ≥ 0 or "data", 0 &lt; W &lt; 2^H after <c>.p/</c>, is accepted.
    /// </summary>
    /// <remarks>Go's L is 64-bit; a level above <see cref="int.MaxValue"/> (never a valid tile) is refused here.</remarks>
    public static bool TryParsePath(string path, out Tile tile)
    {
        tile = default;
        if (path is null)
        {
            return false;
        }
        string[] f = path.Split('/');
        if (f.Length < 4 || f[0] != "tile")
        {
            return false;
        }
        bool hOk = TryAtoi(f[1], out long h);
        bool isData = f[2] == "data";
        long l = 0;
        bool lOk = isData || TryAtoi(f[2], out l);
        if (!hOk || !lOk || h < 1 || l < 0 || h > 30 || l > int.MaxValue)
        {
            return false;
        }
        long w = 1L << (int)h;
        int end = f.Length;
        if (f[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!TryAtoi(f[^1], out long partial) || partial <= 0 || partial >= w)
            {
                return false;
            }
            w = partial;
            f[^2] = f[^2][..^2];
            end--;
        }
        long n = 0;
        for (int i = 3; i < end; i++)
        {
            string s = f[i].StartsWith('x') ? f[i][1..] : f[i];
            if (!TryAtoi(s, out long group) || group < 0 || group >= PathBase)
            {
                return false;
            }
            // A larger N would wrap in Go and then fail its round trip; refusing it here is the same answer.
            if (n > (long.MaxValue - group) / PathBase)
            {
                return false;
            }
            n = n * PathBase + group;
        }
        var parsed = new Tile((int)h, isData ? -1 : (int)l, n, (int)w);
        if (path != parsed.Path())
        {
            return false;
        }
        tile = parsed;
        return true;
    }

    // Go's strconv.Atoi: optional sign, ASCII digits, no spaces; non-canonical forms fail the round trip later.
    private static bool TryAtoi(string s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>The tile of height <paramref name="h"/> and least width that holds the given stored hash (Go's <c>TileForIndex</c>).</summary>
    public static Tile ForIndex(int h, long storedHashIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h);
        return ForIndexRange(h, storedHashIndex).Tile;
    }

    /// <summary>The tile for the index, and the byte range of its data whose tile hash is the stored hash.</summary>
    internal static (Tile Tile, int Start, int End) ForIndexRange(int h, long storedHashIndex)
    {
        (int level, long n) = Tlog.SplitStoredHashIndex(storedHashIndex);
        int l = level / h;
        level -= l * h; // level within the tile
        long tileN = Shr(n << level, h);
        n -= Shr(Shl(tileN, h), level); // n within the tile, at that level
        var tile = new Tile(h, l, tileN, (int)((n + 1) << level));
        return (tile, (int)(n << level) * TlogHash.Size, (int)((n + 1) << level) * TlogHash.Size);
    }

    /// <summary>
    /// The stored hash at <paramref name="storedHashIndex"/>, computed from the data of <paramref name="tile"/>, which
    /// must be <c>ForIndex(tile.H, storedHashIndex)</c> or a wider version of it.
    /// </summary>
    /// <exception cref="TlogException">An invalid tile, too little data, or an index outside the tile.</exception>
    public static TlogHash HashFromTile(Tile tile, ReadOnlySpan<byte> data, long storedHashIndex)
    {
        (int start, int end) = RangeInTile(tile, data.Length, storedHashIndex);
        return TileHash(data[start..end]);
    }

    /// <summary>The byte range of <paramref name="tile"/>'s data whose tile hash is the stored hash (see <see cref="HashFromTile"/>).</summary>
    /// <exception cref="TlogException">An invalid tile, too little data, or an index outside the tile.</exception>
    internal static (int Start, int End) RangeInTile(Tile tile, int dataLength, long storedHashIndex)
    {
        if (tile.H < 1 || tile.H > 30 || tile.L < 0 || tile.L >= 64 || tile.W < 1 || tile.W > 1 << tile.H)
        {
            throw new TlogException($"invalid tile {tile.Path()}");
        }
        if (dataLength < tile.W * TlogHash.Size)
        {
            throw new TlogException($"data len {dataLength} too short for tile {tile.Path()}");
        }
        (Tile t1, int start, int end) = ForIndexRange(tile.H, storedHashIndex);
        if (tile.L != t1.L || tile.N != t1.N || tile.W < t1.W)
        {
            throw new TlogException($"index {storedHashIndex} is in {t1.Path()} not {tile.Path()}");
        }
        return (start, end);
    }

    /// <summary>The subtree hash of the 2^k hashes in <paramref name="data"/>.</summary>
    internal static TlogHash TileHash(ReadOnlySpan<byte> data)
    {
        if (data.Length == TlogHash.Size)
        {
            return TlogHash.FromBytes(data);
        }
        if (data.Length < TlogHash.Size)
        {
            throw new System.Diagnostics.UnreachableException("bad math in tileHash");
        }
        int half = data.Length / 2;
        return Tlog.NodeHash(TileHash(data[..half]), TileHash(data[half..]));
    }

    /// <summary>
    /// The tiles of height <paramref name="h"/> to publish when the tree grows from <paramref name="oldTreeSize"/> to
    /// <paramref name="newTreeSize"/> records (Go's <c>NewTiles</c>).
    /// </summary>
    public static IReadOnlyList<Tile> NewTiles(int h, long oldTreeSize, long newTreeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h);
        ArgumentOutOfRangeException.ThrowIfNegative(oldTreeSize);
        ArgumentOutOfRangeException.ThrowIfNegative(newTreeSize);
        var tiles = new List<Tile>();
        for (int level = 0; Shr(newTreeSize, h * level) > 0; level++)
        {
            long oldN = Shr(oldTreeSize, h * level);
            long newN = Shr(newTreeSize, h * level);
            if (oldN == newN)
            {
                continue;
            }
            for (long n = Shr(oldN, h); n < Shr(newN, h); n++)
            {
                tiles.Add(new Tile(h, level, n, (int)FullWidth(h)));
            }
            long last = Shr(newN, h);
            long w = newN - Shl(last, h);
            if (w > 0)
            {
                tiles.Add(new Tile(h, level, last, (int)w));
            }
        }
        return tiles;
    }

    /// <summary>The data of a hash tile (its W hashes, 32 bytes each), read from <paramref name="reader"/> (Go's <c>ReadTileData</c>).</summary>
    public static async ValueTask<byte[]> ReadTileDataAsync(Tile tile, IHashReader reader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (tile.H < 1 || tile.H > 30 || tile.L < 0 || tile.W < 0 || tile.W > 1 << tile.H)
        {
            throw new ArgumentException($"not a hash tile: {tile}", nameof(tile));
        }
        int size = tile.W == 0 ? 1 << tile.H : tile.W;
        long start = tile.N << tile.H;
        var indexes = new long[size];
        for (int i = 0; i < size; i++)
        {
            indexes[i] = Tlog.StoredHashIndex(tile.H * tile.L, start + i);
        }
        IReadOnlyList<TlogHash> hashes = await Tlog.ReadAsync(reader, indexes, ct).ConfigureAwait(false);
        byte[] data = new byte[size * TlogHash.Size];
        for (int i = 0; i < size; i++)
        {
            hashes[i].CopyTo(data.AsSpan(i * TlogHash.Size));
        }
        return data;
    }

    /// <summary>2^h, or 0 where Go's shift would be out of range.</summary>
    internal static long FullWidth(int h) => Shl(1, h);

    // Go's shifts by counts of 64 or more give 0 (or -1 for a negative value shifted right); C# masks the count.
    internal static long Shl(long x, int count) => (uint)count >= 64 ? 0 : x << count;

    internal static long Shr(long x, int count) => (uint)count >= 64 ? (x < 0 ? -1 : 0) : x >> count;
}
