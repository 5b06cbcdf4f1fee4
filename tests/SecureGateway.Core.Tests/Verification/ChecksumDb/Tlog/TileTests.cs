using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Tlog;

using Tlog = SecureGateway.Verification.ChecksumDb.Tlog;

public sealed class TileTests
{
    // tlog_test.go tilePaths (valid entries) and the doc's example.
    public static TheoryData<string, Tile> ValidPaths => new()
    {
        { "tile/4/0/001", new Tile(4, 0, 1, 16) },
        { "tile/4/0/001.p/5", new Tile(4, 0, 1, 5) },
        { "tile/3/5/x123/x456/078", new Tile(3, 5, 123456078, 8) },
        { "tile/3/5/x123/x456/078.p/2", new Tile(3, 5, 123456078, 2) },
        { "tile/1/0/x003/x057/500", new Tile(1, 0, 3057500, 2) },
        { "tile/1/data/x003/x057/500", new Tile(1, -1, 3057500, 2) },
        { "tile/8/0/x001/x234/067.p/5", new Tile(8, 0, 1234067, 5) },
        { "tile/8/data/x001/x234/067", new Tile(8, -1, 1234067, 256) },
        { "tile/8/data/000.p/1", new Tile(8, -1, 0, 1) },
        { "tile/8/2/000", new Tile(8, 2, 0, 256) },
        { "tile/30/0/x001/000", new Tile(30, 0, 1000, 1 << 30) },
    };

    [Theory]
    [MemberData(nameof(ValidPaths))]
    public void Path_Tile_GoPath(string path, Tile tile) => Assert.Equal(path, tile.Path());

    [Theory]
    [MemberData(nameof(ValidPaths))]
    public void TryParsePath_ValidPath_Tile(string path, Tile tile)
    {
        Assert.True(Tile.TryParsePath(path, out Tile parsed));
        Assert.Equal(tile, parsed);
    }

    [Theory]
    [InlineData("tile/3/5/123/456/078")] // tlog_test.go: missing x
    [InlineData("tile/3/-1/123/456/078")] // tlog_test.go: -1 is spelled data
    [InlineData("tile/3/-1/078")]
    [InlineData("tile/0/0/000")]
    [InlineData("tile/31/0/000")]
    [InlineData("tile/-1/0/000")]
    [InlineData("tile/4/0/001.p/16")] // full width is not partial
    [InlineData("tile/4/0/001.p/0")]
    [InlineData("tile/4/0/001.p/-1")]
    [InlineData("tile/4/0/001.p/17")]
    [InlineData("tile/4/0/001.p/05")]
    [InlineData("tile/4/0/001.p/+5")]
    [InlineData("tile/4/0/001.p")]
    [InlineData("tile/4/0/01")]
    [InlineData("tile/4/0/1")]
    [InlineData("tile/4/0/1000")]
    [InlineData("tile/4/0/x000/001")]
    [InlineData("tile/4/0/x001")]
    [InlineData("tile/4/0/x001/x002")]
    [InlineData("tile/4/0/-01")]
    [InlineData("tile/4/0/+01")]
    [InlineData("tile/04/0/001")]
    [InlineData("tile/+4/0/001")]
    [InlineData("tile/4/00/001")]
    [InlineData("tile/4/0/001/")]
    [InlineData("tile/4/0//001")]
    [InlineData("tile/4/0")]
    [InlineData("tile/4/0/")]
    [InlineData("tiles/4/0/001")]
    [InlineData("/tile/4/0/001")]
    [InlineData("tile/4/DATA/001")]
    [InlineData("tile/4/data.p/5")]
    [InlineData("tile/4/0.p/5")]
    [InlineData("tile/4/0/ 001")]
    [InlineData("tile/8/0/x999/x999/x999/x999/x999/x999/x999/999")] // beyond int64
    [InlineData("tile/8/3000000000/000")] // beyond int
    [InlineData("")]
    public void TryParsePath_Invalid_False(string path)
    {
        Assert.False(Tile.TryParsePath(path, out Tile tile));
        Assert.Equal(default, tile);
    }

    [Fact]
    public void TryParsePath_EveryPathOfNewTiles_RoundTrips()
    {
        foreach ((int h, long size) in new[] { (1, 5_000L), (2, 20_000L), (8, 3_000_000L), (10, 3_000_000L) })
        {
            foreach (Tile tile in Tile.NewTiles(h, 0, size))
            {
                Assert.True(Tile.TryParsePath(tile.Path(), out Tile parsed), tile.Path());
                Assert.Equal(tile, parsed);
            }
        }
    }

    // tile_test.go TestNewTilesForSize (height 10).
    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(100, 101, 1)]
    [InlineData(1023, 1025, 3)]
    [InlineData(1024, 1030, 1)]
    [InlineData(1030, 2000, 1)]
    [InlineData(1030, 10000, 10)]
    [InlineData(49516517, 49516586, 3)]
    public void NewTiles_Height10_GoCount(long oldSize, long newSize, int count) =>
        Assert.Equal(count, Tile.NewTiles(10, oldSize, newSize).Count);

    [Fact]
    public void NewTiles_Height2_ListsFullAndPartialTilesPerLevel()
    {
        // 0 → 6 records: level 0 tile 000 (4 hashes) and 001.p/2; level 1 000.p/1.
        Assert.Equal([new Tile(2, 0, 0, 4), new Tile(2, 0, 1, 2), new Tile(2, 1, 0, 1)], Tile.NewTiles(2, 0, 6));
        // 6 → 7 records: only the bottom partial tile grows.
        Assert.Equal([new Tile(2, 0, 1, 3)], Tile.NewTiles(2, 6, 7));
        Assert.Empty(Tile.NewTiles(2, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tile.NewTiles(0, 0, 1));
    }

    [Fact]
    public void NewTiles_Height30HugeTree_Terminates()
    {
        // Go's shifts past 63 bits give 0; the loop must end rather than wrap the shift count.
        IReadOnlyList<Tile> tiles = Tile.NewTiles(30, long.MaxValue - 1, long.MaxValue);
        Assert.NotEmpty(tiles);
        Assert.All(tiles, t => Assert.InRange(t.L, 0, 2));
    }

    [Theory]
    [InlineData(2, 0, "tile/2/0/000.p/1")]
    [InlineData(2, 1, "tile/2/0/000.p/2")]
    [InlineData(2, 2, "tile/2/0/000.p/2")] // (1,0) is computed from the first two hashes
    [InlineData(2, 5, "tile/2/0/000")] // (1,1) needs the whole tile
    [InlineData(2, 6, "tile/2/1/000.p/1")] // (2,0) is the first hash of the level-1 tile
    [InlineData(2, 7, "tile/2/0/001.p/1")]
    [InlineData(2, 14, "tile/2/1/000.p/2")] // (3,0) is computed from two level-1 hashes
    [InlineData(8, 1021, "tile/8/1/000.p/2")] // (8,1)
    [InlineData(8, 1994, "tile/8/0/003.p/233")] // (0,1000)
    public void ForIndex_StoredHash_LeastTile(int h, long index, string path) =>
        Assert.Equal(path, Tile.ForIndex(h, index).Path());

    [Fact]
    public void ForIndex_NonPositiveHeight_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Tile.ForIndex(0, 5));

    [Fact]
    public async Task HashFromTile_EveryStoredHash_FromItsTile()
    {
        MemoryLog log = MemoryLog.OfLeaves(100);
        foreach (int h in new[] { 1, 2, 3, 8 })
        {
            for (long index = 0; index < log.Stored.Count; index++)
            {
                Tile tile = Tile.ForIndex(h, index);
                byte[] data = await Tile.ReadTileDataAsync(tile, log, CancellationToken.None);
                Assert.Equal(tile.W * TlogHash.Size, data.Length);
                Assert.Equal(log.Stored[(int)index], Tile.HashFromTile(tile, data, index));
            }
        }
    }

    [Fact]
    public async Task HashFromTile_WrongTileOrData_Throws()
    {
        MemoryLog log = MemoryLog.OfLeaves(20);
        var tile = new Tile(2, 0, 0, 4);
        byte[] data = await Tile.ReadTileDataAsync(tile, log, CancellationToken.None);

        Assert.Equal("index 7 is in tile/2/0/001.p/1 not tile/2/0/000",
            Assert.Throws<TlogException>(() => Tile.HashFromTile(tile, data, 7)).Message);
        Assert.Equal("data len 96 too short for tile tile/2/0/000",
            Assert.Throws<TlogException>(() => Tile.HashFromTile(tile, data.AsSpan(0, 96), 0)).Message);
        Assert.Equal("index 5 is in tile/2/0/000 not tile/2/0/000.p/2",
            Assert.Throws<TlogException>(() => Tile.HashFromTile(tile with { W = 2 }, data, 5)).Message);
        Assert.Equal("invalid tile tile/2/data/000",
            Assert.Throws<TlogException>(() => Tile.HashFromTile(tile with { L = -1 }, data, 0)).Message);
        Assert.Throws<TlogException>(() => Tile.HashFromTile(tile with { W = 5 }, data, 0));
        Assert.Throws<TlogException>(() => Tile.HashFromTile(tile with { H = 31 }, data, 0));
    }

    [Fact]
    public async Task ReadTileDataAsync_Tile_ConcatenatedStoredHashes()
    {
        MemoryLog log = MemoryLog.OfLeaves(8);
        byte[] data = await Tile.ReadTileDataAsync(new Tile(2, 1, 0, 2), log, CancellationToken.None);
        // Level-1 tile 0 holds the level-2 hashes (2,0) and (2,1): the roots of records 0–3 and 4–7.
        Assert.Equal(log.Stored[(int)Tlog.StoredHashIndex(2, 0)].AsSpan().ToArray(), data[..32]);
        Assert.Equal(log.Stored[(int)Tlog.StoredHashIndex(2, 1)].AsSpan().ToArray(), data[32..]);
        await Assert.ThrowsAsync<ArgumentException>(async () => await Tile.ReadTileDataAsync(new Tile(2, -1, 0, 2), log, CancellationToken.None));
    }
}
