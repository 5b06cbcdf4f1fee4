using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Tlog;

using Tlog = SecureGateway.Verification.ChecksumDb.Tlog;

public sealed class TileHashesTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // The memo answers exactly as Tile.HashFromTile (checked against the log's own stored hashes, as Go's tests do),
    // for full and partial tiles of several heights, asked in any order and again.
    [Fact]
    public async Task HashFromTile_EveryStoredHashTwice_AsTileHashFromTile()
    {
        MemoryLog log = MemoryLog.OfLeaves(100);
        foreach (int h in new[] { 1, 2, 3, 8 })
        {
            var hashes = new TileHashes();
            foreach (var pass in new[] { 1, 2 })
            {
                for (long index = log.Stored.Count - 1; index >= 0; index--)
                {
                    Tile tile = Tile.ForIndex(h, index);
                    byte[] data = await Tile.ReadTileDataAsync(tile, log, None);
                    Assert.Equal(log.Stored[(int)index], hashes.HashFromTile(tile, data, index));
                }
            }
        }
    }

    [Fact]
    public async Task HashFromTile_SameTileOtherBytes_HashesTheseBytes()
    {
        MemoryLog log = MemoryLog.OfLeaves(20);
        var tile = new Tile(2, 0, 0, 4);
        byte[] data = await Tile.ReadTileDataAsync(tile, log, None);
        var hashes = new TileHashes();
        long root = Tlog.StoredHashIndex(1, 1); // the highest hash inside the tile, over its last two
        Assert.Equal(Tile.HashFromTile(tile, data, root), hashes.HashFromTile(tile, data, root));

        byte[] other = [.. data];
        other[^1] ^= 0x80;
        Assert.Equal(Tile.HashFromTile(tile, other, root), hashes.HashFromTile(tile, other, root));
        Assert.NotEqual(hashes.HashFromTile(tile, data, root), hashes.HashFromTile(tile, other, root));
    }

    [Fact]
    public async Task HashFromTile_CallerChangesItsArrayAfterwards_MemoUnchanged()
    {
        MemoryLog log = MemoryLog.OfLeaves(20);
        var tile = new Tile(2, 0, 0, 4);
        byte[] data = await Tile.ReadTileDataAsync(tile, log, None);
        var hashes = new TileHashes();
        long root = Tlog.StoredHashIndex(1, 1); // the highest hash inside the tile, over its last two
        TlogHash honest = hashes.HashFromTile(tile, data, root);

        data[^1] ^= 0x01;
        Assert.Equal(Tile.HashFromTile(tile, data, root), hashes.HashFromTile(tile, data, root));
        Assert.NotEqual(honest, hashes.HashFromTile(tile, data, root));
    }

    [Fact]
    public async Task HashFromTile_OnceHashed_NotComputedAgain()
    {
        MemoryLog log = MemoryLog.OfLeaves(1_000);
        var tile = new Tile(8, 0, 1, 256);
        byte[] data = await Tile.ReadTileDataAsync(tile, log, None);
        var hashes = new TileHashes();
        for (long n = 256; n < 512; n++)
        {
            hashes.HashFromTile(tile, [.. data], Tlog.StoredHashIndex(0, n));
        }

        Assert.Equal(1, hashes.Computed);
        Assert.Equal(log.Stored[(int)Tlog.StoredHashIndex(8, 1)], hashes.TileHash(tile, data));
        Assert.Equal(1, hashes.Computed);
    }

    [Fact]
    public async Task HashFromTile_WrongTileOrData_ThrowsAsTileHashFromTile()
    {
        MemoryLog log = MemoryLog.OfLeaves(20);
        var tile = new Tile(2, 0, 0, 4);
        byte[] data = await Tile.ReadTileDataAsync(tile, log, None);
        var hashes = new TileHashes();

        Assert.Equal("index 7 is in tile/2/0/001.p/1 not tile/2/0/000",
            Assert.Throws<TlogException>(() => hashes.HashFromTile(tile, data, 7)).Message);
        Assert.Equal("data len 96 too short for tile tile/2/0/000",
            Assert.Throws<TlogException>(() => hashes.HashFromTile(tile, data[..96], 0)).Message);
        Assert.Equal("index 5 is in tile/2/0/000 not tile/2/0/000.p/2",
            Assert.Throws<TlogException>(() => hashes.HashFromTile(tile with { W = 2 }, data, 5)).Message);
        Assert.Equal("invalid tile tile/2/data/000",
            Assert.Throws<TlogException>(() => hashes.HashFromTile(tile with { L = -1 }, data, 0)).Message);
        Assert.Throws<TlogException>(() => hashes.TileHash(tile with { W = 3 }, data[..96]));
        Assert.Throws<TlogException>(() => hashes.TileHash(tile, data[..96]));
    }
}
