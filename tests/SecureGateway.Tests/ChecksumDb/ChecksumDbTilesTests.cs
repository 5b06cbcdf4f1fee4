using SecureGateway.Tests.Infrastructure;
using SecureGateway.Upstream;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Tests.ChecksumDb;

/// <summary>
/// Tiles read for proofs are remembered in memory, but only for the history since the last reset: a reset made by the
/// CLI (another process) empties the disk cache, and the running gateway's memory must follow it.
/// </summary>
public sealed class ChecksumDbTilesTests
{
    private static readonly Tile First = new(ChecksumDbTiles.TileHeight, 0, 0, 256);

    [Fact]
    public async Task ReadTiles_ResetSeen_RememberedTilesForgottenAndFetchedAgain()
    {
        var database = TempDirectory.Create("sumdb");
        var cache = TempDirectory.Create("tiles");
        Publish(database, 1);
        using var tiles = new ChecksumDbTiles(new FileUpstream(database), cache);
        tiles.Follow(null);
        tiles.SaveTiles([First], await tiles.ReadTilesAsync([First], CancellationToken.None));
        Assert.Equal(1, (await tiles.ReadTilesAsync([First], CancellationToken.None))[0][0]);

        // What `sumdb reset-head` does from another process: the disk cache is emptied; the database now has another history.
        Directory.Delete(cache, recursive: true);
        Publish(database, 2);
        var beforeTheResetIsSeen = (await tiles.ReadTilesAsync([First], CancellationToken.None))[0][0];
        tiles.Follow(7);
        var afterwards = (await tiles.ReadTilesAsync([First], CancellationToken.None))[0][0];

        Assert.Equal(1, beforeTheResetIsSeen);
        Assert.Equal(2, afterwards);
        Assert.Null(tiles.CachedTile(First));
    }

    [Fact]
    public async Task ReadTiles_SameHistory_RememberedWithoutTheDisk()
    {
        var database = TempDirectory.Create("sumdb");
        var cache = TempDirectory.Create("tiles");
        Publish(database, 1);
        using var tiles = new ChecksumDbTiles(new FileUpstream(database), cache);
        tiles.Follow(3);
        tiles.SaveTiles([First], await tiles.ReadTilesAsync([First], CancellationToken.None));
        await tiles.ReadTilesAsync([First], CancellationToken.None);

        Directory.Delete(database, recursive: true);
        File.Delete(Path.Combine(cache, First.Path()));
        tiles.Follow(3);

        Assert.Equal(1, (await tiles.ReadTilesAsync([First], CancellationToken.None))[0][0]);
    }

    private static void Publish(string database, byte fill)
    {
        var file = Path.Combine(database, First.Path());
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, Enumerable.Repeat(fill, 256 * 32).ToArray());
    }
}
