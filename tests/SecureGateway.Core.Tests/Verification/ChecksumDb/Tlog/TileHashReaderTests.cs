using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Tlog;

using Tlog = SecureGateway.Verification.ChecksumDb.Tlog;

public sealed class TileHashReaderTests
{
    private const string Inconsistent = "downloaded inconsistent tile";

    // 70,000 records: with height 8, trees up to three tile levels, full and partial tiles at each.
    private static readonly Lazy<MemoryLog> BigLog = new(() => MemoryLog.OfLeaves(70_000));

    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<TreeHead> HeadAsync(MemoryLog log, long n) => new(n, await Tlog.TreeHashAsync(n, log, None));

    // tlog_test.go TestTree with tiles of height 2: the tiles published by NewTiles as the log grows extend each
    // other, hold every stored hash, and a TileHashReader over exactly those tiles gives verified hashes, record
    // proofs and tree proofs for every tree so far, saving every tile it read.
    [Fact]
    public async Task ReadHashesAsync_PublishedTilesHeight2_EveryProofOfEveryTree()
    {
        const int H = 2;
        var log = new MemoryLog();
        var published = new Dictionary<Tile, byte[]>();
        var trees = new List<TlogHash>();
        for (long i = 0; i < 100; i++)
        {
            int oldStored = log.Stored.Count;
            log.Add(MemoryLog.Leaf(i));
            TlogHash th = await Tlog.TreeHashAsync(i + 1, log, None);
            trees.Add(th);

            foreach (Tile tile in Tile.NewTiles(H, i, i + 1))
            {
                byte[] data = await Tile.ReadTileDataAsync(tile, log, None);
                byte[] old = published.GetValueOrDefault(tile with { W = tile.W - 1 }) ?? [];
                Assert.Equal(old, data[..old.Length]);
                Assert.Equal(data.Length - TlogHash.Size, old.Length);
                published[tile] = data;
            }
            foreach (Tile tile in Tile.NewTiles(H, 0, i + 1).Concat(Tile.NewTiles(H, i / 2, i + 1)))
            {
                Assert.Equal(published[tile], await Tile.ReadTileDataAsync(tile, log, None));
            }
            for (int j = oldStored; j < log.Stored.Count; j++)
            {
                Tile tile = Tile.ForIndex(H, j);
                Assert.True(published.TryGetValue(tile, out byte[]? data), $"{tile.Path()} not yet published");
                Assert.Equal(log.Stored[j], Tile.HashFromTile(tile, data, j));
            }

            var server = new PublishedTiles(H, published);
            var reader = new TileHashReader(new TreeHead(i + 1, th), server);
            for (long j = 0; j <= i; j++)
            {
                IReadOnlyList<TlogHash> leaf = await reader.ReadHashesAsync([Tlog.StoredHashIndex(0, j)], None);
                Assert.Equal(log.RecordHashes[(int)j], Assert.Single(leaf));
                IReadOnlyList<TlogHash> proof = await Tlog.ProveRecordAsync(i + 1, j, reader, None);
                Tlog.CheckRecord(proof, i + 1, th, j, log.RecordHashes[(int)j]);
            }
            Assert.Equal(0, server.Unsaved);

            TlogException outside = await Assert.ThrowsAsync<TlogException>(async () => await reader.ReadHashesAsync([(i + 1) * 2], None));
            Assert.Equal("indexes not in tree", outside.Message);

            for (long j = 0; j <= i; j++)
            {
                Assert.Equal(trees[(int)j], await Tlog.TreeHashAsync(j + 1, reader, None));
                IReadOnlyList<TlogHash> proof = await Tlog.ProveTreeAsync(i + 1, j + 1, reader, None);
                Tlog.CheckTree(proof, i + 1, th, j + 1, trees[(int)j]);
            }
            Assert.Equal(0, server.Unsaved);
        }
    }

    // tile_test.go TestTileHashReader: every stored hash reads back alone and all together; zeroing any one of them
    // in the served tiles makes both reads fail, and nothing is saved.
    [Fact]
    public async Task ReadHashesAsync_Height2EveryIndexAndEveryTamperedIndex_ReadsOrRefuses()
    {
        const int H = 2;
        var log = new MemoryLog();
        for (long n = 1; n <= 100; n++)
        {
            log.Add(MemoryLog.Leaf(n - 1));
            TreeHead head = await HeadAsync(log, n);
            long count = Tlog.StoredHashIndex(0, n);
            long[] all = [.. Enumerable.Range(0, (int)count).Select(i => (long)i)];

            var reader = new TileHashReader(head, new MemoryTileServer(log, H));
            for (long i = 0; i < count; i++)
            {
                Assert.Equal(log.Stored[(int)i], Assert.Single(await reader.ReadHashesAsync([i], None)));
            }
            Assert.Equal(log.Stored.Take((int)count), await reader.ReadHashesAsync(all, None));

            for (long i = 0; i < count; i++)
            {
                var tampered = new MemoryTileServer(log, H) { Tamper = MemoryTileServer.ZeroIndex(H, i) };
                var bad = new TileHashReader(head, tampered);
                TlogException one = await Assert.ThrowsAsync<TlogException>(async () => await bad.ReadHashesAsync([i], None));
                Assert.Equal(Inconsistent, one.Message);
                TlogException every = await Assert.ThrowsAsync<TlogException>(async () => await bad.ReadHashesAsync(all, None));
                Assert.Equal(Inconsistent, every.Message);
                Assert.Empty(tampered.Saved);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(300)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(65_537)]
    [InlineData(70_000)]
    public async Task ReadHashesAsync_Height8_ReadsProvesAndHashesOlderTrees(long n)
    {
        MemoryLog log = BigLog.Value;
        TreeHead head = await HeadAsync(log, n);
        var server = new MemoryTileServer(log, 8);
        var reader = new TileHashReader(head, server);

        long count = Tlog.StoredHashIndex(0, n);
        long[] indexes = [.. Spread(count, 200)];
        Assert.Equal(indexes.Select(i => log.Stored[(int)i]), await reader.ReadHashesAsync(indexes, None));

        foreach (long record in Spread(n, 20))
        {
            IReadOnlyList<TlogHash> proof = await Tlog.ProveRecordAsync(n, record, reader, None);
            Tlog.CheckRecord(proof, n, head.Hash, record, log.RecordHashes[(int)record]);
        }
        foreach (long older in Spread(n, 20).Select(x => x + 1))
        {
            TlogHash olderHash = await Tlog.TreeHashAsync(older, reader, None);
            Assert.Equal(await Tlog.TreeHashAsync(older, log, None), olderHash);
            IReadOnlyList<TlogHash> proof = await Tlog.ProveTreeAsync(n, older, reader, None);
            Tlog.CheckTree(proof, n, head.Hash, older, olderHash);
        }
        Assert.Equal(0, server.Unsaved);
        Assert.All(server.Saved, t => Assert.Equal(8, t.H));
    }

    // Up to `count` values spread over [0, limit), always including both ends.
    private static IEnumerable<long> Spread(long limit, int count) =>
        Enumerable.Range(0, count).Select(i => i * (limit - 1) / Math.Max(1, count - 1)).Distinct();

    [Fact]
    public async Task ReadHashesAsync_Height8PartialTiles_RequestsTreeTiles()
    {
        // 300 records: the tree hash needs tile/8/1/000.p/1 and tile/8/0/001.p/44; record 0 adds tile/8/0/000, authenticated by its parent.
        MemoryLog log = BigLog.Value;
        var server = new MemoryTileServer(log, 8);
        var reader = new TileHashReader(await HeadAsync(log, 300), server);
        await reader.ReadHashesAsync([Tlog.StoredHashIndex(0, 0), Tlog.StoredHashIndex(0, 299)], None);
        Assert.Equal(
            ["tile/8/1/000.p/1", "tile/8/0/001.p/44", "tile/8/0/000"],
            server.Saved.Select(t => t.Path()));
    }

    [Theory]
    [InlineData(0, 12_345)] // a record hash in a full bottom tile
    [InlineData(8, 100)] // a level-8 hash: bottom row of a level-1 tile
    [InlineData(0, 69_999)] // the last record, in the partial bottom tile
    [InlineData(16, 0)] // a level-16 hash: bottom row of the level-2 tile
    public async Task ReadHashesAsync_Height8TamperedTile_Inconsistent(int level, long n)
    {
        MemoryLog log = BigLog.Value;
        TreeHead head = await HeadAsync(log, 70_000);
        long index = Tlog.StoredHashIndex(level, n);
        var server = new MemoryTileServer(log, 8) { Tamper = MemoryTileServer.ZeroIndex(8, index) };
        var reader = new TileHashReader(head, server);

        TlogException e = await Assert.ThrowsAsync<TlogException>(async () => await reader.ReadHashesAsync([index], None));
        Assert.Equal(Inconsistent, e.Message);
        await Assert.ThrowsAsync<TlogException>(async () => await Tlog.ProveRecordAsync(70_000, 12_345, reader, None));
        Assert.Empty(server.Saved);
    }

    [Fact]
    public async Task ReadHashesAsync_OneFlippedBitInAnyRequestedTile_Inconsistent()
    {
        MemoryLog log = BigLog.Value;
        TreeHead head = await HeadAsync(log, 66_000);
        long index = Tlog.StoredHashIndex(0, 1_000);
        var honest = new MemoryTileServer(log, 8);
        await new TileHashReader(head, honest).ReadHashesAsync([index], None);
        Assert.True(honest.Saved.Count >= 3);
        foreach (Tile target in honest.Saved)
        {
            var server = new MemoryTileServer(log, 8) { Tamper = FlipLastBitOf(target) };
            TlogException e = await Assert.ThrowsAsync<TlogException>(async () => await new TileHashReader(head, server).ReadHashesAsync([index], None));
            Assert.Equal(Inconsistent, e.Message);
            Assert.Empty(server.Saved);
        }
    }

    [Fact]
    public async Task ReadHashesAsync_ForkedTreeHead_Inconsistent()
    {
        MemoryLog log = MemoryLog.OfLeaves(40);
        var forked = new TreeHead(40, Tlog.RecordHash("not the root"u8));
        var server = new MemoryTileServer(log, 2);
        TlogException e = await Assert.ThrowsAsync<TlogException>(async () => await new TileHashReader(forked, server).ReadHashesAsync([0], None));
        Assert.Equal(Inconsistent, e.Message);
        Assert.Empty(server.Saved);
    }

    [Fact]
    public async Task ReadHashesAsync_IndexOutsideTree_NotInTree()
    {
        MemoryLog log = MemoryLog.OfLeaves(10);
        var reader = new TileHashReader(await HeadAsync(log, 5), new MemoryTileServer(log, 2));
        long limit = Tlog.StoredHashIndex(0, 5);
        Assert.Equal(log.Stored[(int)limit - 1], Assert.Single(await reader.ReadHashesAsync([limit - 1], None)));
        foreach (long index in new[] { limit, limit + 100, -1 })
        {
            TlogException e = await Assert.ThrowsAsync<TlogException>(async () => await reader.ReadHashesAsync([index], None));
            Assert.Equal("indexes not in tree", e.Message);
        }
    }

    [Fact]
    public async Task ReadHashesAsync_EmptyTree_NothingInIt()
    {
        var reader = new TileHashReader(new TreeHead(0, default), new MemoryTileServer(new MemoryLog(), 8));
        Assert.Empty(await reader.ReadHashesAsync([], None));
        await Assert.ThrowsAsync<TlogException>(async () => await reader.ReadHashesAsync([0], None));
    }

    [Fact]
    public async Task ReadHashesAsync_ServerReturnsWrongLengthOrCount_Throws()
    {
        MemoryLog log = MemoryLog.OfLeaves(10);
        TreeHead head = await HeadAsync(log, 10);
        var shortTile = new MemoryTileServer(log, 2) { Tamper = (_, data) => data[..^1] };
        TlogException length = await Assert.ThrowsAsync<TlogException>(async () => await new TileHashReader(head, shortTile).ReadHashesAsync([0], None));
        Assert.StartsWith("TileReader returned bad result slice (tile/2/", length.Message, StringComparison.Ordinal);

        TlogException count = await Assert.ThrowsAsync<TlogException>(async () => await new TileHashReader(head, new NoTiles()).ReadHashesAsync([0], None));
        Assert.Matches(@"^TileReader returned bad result slice \(len=0, want \d+\)$", count.Message);
    }

    // Readers sharing one memo of tile hashes (as the gateway's do, across every tree it sees) refuse a tile changed
    // after its honest bytes were hashed, and read it again once it is honest.
    [Fact]
    public async Task SharedHashes_TileChangedAfterItWasHashed_InconsistentAsForAFreshReader()
    {
        MemoryLog log = BigLog.Value;
        TreeHead head = await HeadAsync(log, 66_000);
        long index = Tlog.StoredHashIndex(0, 1_000);
        var honest = new MemoryTileServer(log, 8);
        var switching = new SwitchingTiles(honest);
        var hashes = new TileHashes();
        Assert.Equal(log.Stored[(int)index], Assert.Single(await new TileHashReader(head, switching, hashes).ReadHashesAsync([index], None)));
        Assert.True(honest.Saved.Count >= 3);

        foreach (Tile target in honest.Saved)
        {
            switching.Tamper = FlipLastBitOf(target);
            TlogException e = await Assert.ThrowsAsync<TlogException>(
                async () => await new TileHashReader(head, switching, hashes).ReadHashesAsync([index], None));
            Assert.Equal(Inconsistent, e.Message);
        }

        switching.Tamper = null;
        Assert.Equal(log.Stored[(int)index], Assert.Single(await new TileHashReader(head, switching, hashes).ReadHashesAsync([index], None)));
    }

    // A head is no proof for another: with the memo holding an honest tree's tiles, a forked head of the same size
    // and a head of another size whose hash is not the log's are still refused.
    [Fact]
    public async Task SharedHashes_ForkedHeadAfterHonestReads_Inconsistent()
    {
        MemoryLog log = BigLog.Value;
        var hashes = new TileHashes();
        var server = new MemoryTileServer(log, 8);
        long index = Tlog.StoredHashIndex(0, 12_345);
        await new TileHashReader(await HeadAsync(log, 66_000), server, hashes).ReadHashesAsync([index], None);

        foreach (TreeHead forked in new[] { new TreeHead(66_000, Tlog.RecordHash("not the root"u8)), new TreeHead(66_100, await Tlog.TreeHashAsync(66_000, log, None)) })
        {
            TlogException e = await Assert.ThrowsAsync<TlogException>(
                async () => await new TileHashReader(forked, server, hashes).ReadHashesAsync([index], None));
            Assert.Equal(Inconsistent, e.Message);
        }
    }

    // The readers of several trees sharing one memo prove every record and every older tree as fresh readers do, and
    // hash each tile's bytes once: a second round of the same proofs computes nothing.
    [Fact]
    public async Task SharedHashes_ReadersOfGrowingTrees_SameProofsEachTileHashedOnce()
    {
        MemoryLog log = BigLog.Value;
        var hashes = new TileHashes();
        foreach (int round in new[] { 1, 2 })
        {
            long computedBefore = hashes.Computed;
            foreach (long n in new long[] { 65_536, 66_000, 70_000 })
            {
                TreeHead head = await HeadAsync(log, n);
                foreach (long record in Spread(n, 30))
                {
                    var reader = new TileHashReader(head, new MemoryTileServer(log, 8), hashes);
                    IReadOnlyList<TlogHash> proof = await Tlog.ProveRecordAsync(n, record, reader, None);
                    Tlog.CheckRecord(proof, n, head.Hash, record, log.RecordHashes[(int)record]);
                }
                foreach (long older in Spread(n, 10).Select(x => x + 1))
                {
                    var reader = new TileHashReader(head, new MemoryTileServer(log, 8), hashes);
                    IReadOnlyList<TlogHash> proof = await Tlog.ProveTreeAsync(n, older, reader, None);
                    Tlog.CheckTree(proof, n, head.Hash, older, await Tlog.TreeHashAsync(older, log, None));
                }
            }

            if (round == 2)
            {
                Assert.Equal(computedBefore, hashes.Computed);
            }
        }
    }

    /// <summary>Changes <paramref name="target"/>'s data (a copy) in its last bit, and no other tile.</summary>
    private static Func<Tile, byte[], byte[]> FlipLastBitOf(Tile target) =>
        (tile, data) => tile != target ? data : [.. data[..^1], (byte)(data[^1] ^ 0x80)];

    /// <summary>Tiles from <paramref name="inner"/>, changed by <see cref="Tamper"/> while it is set.</summary>
    private sealed class SwitchingTiles(ITileReader inner) : ITileReader
    {
        public Func<Tile, byte[], byte[]>? Tamper { get; set; }

        public int Height => inner.Height;

        public async ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
        {
            var data = await inner.ReadTilesAsync(tiles, cancellationToken);
            return Tamper is { } tamper ? [.. tiles.Select((tile, i) => tamper(tile, data[i]))] : data;
        }

        public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data) => inner.SaveTiles(tiles, data);
    }

    /// <summary>Serves only the tiles published so far (Go's testTilesStorage): an unpublished tile has no data.</summary>
    private sealed class PublishedTiles(int height, Dictionary<Tile, byte[]> published) : ITileReader
    {
        public int Height => height;

        public int Unsaved { get; private set; }

        public ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
        {
            Unsaved += tiles.Count;
            return ValueTask.FromResult<IReadOnlyList<byte[]>>([.. tiles.Select(t => published.GetValueOrDefault(t) ?? [])]);
        }

        public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data) => Unsaved -= tiles.Count;
    }

    private sealed class NoTiles : ITileReader
    {
        public int Height => 2;

        public ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<byte[]>>([]);

        public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data) => throw new InvalidOperationException();
    }
}
