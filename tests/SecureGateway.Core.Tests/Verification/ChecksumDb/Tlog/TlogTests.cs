using System.Text;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Tlog;

using Tlog = SecureGateway.Verification.ChecksumDb.Tlog;

public sealed class TlogTests
{
    private static TlogHash H(string base64) =>
        TlogHash.TryParse(base64, out TlogHash hash) ? hash : throw new ArgumentException(base64, nameof(base64));

    private static TlogHash[] Hs(params string[] base64) => Array.ConvertAll(base64, H);

    // docs/go-module-protocols.md "Transparency log": the dense stored-hash ordering.
    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 1, 1)]
    [InlineData(1, 0, 2)]
    [InlineData(0, 2, 3)]
    [InlineData(0, 3, 4)]
    [InlineData(1, 1, 5)]
    [InlineData(2, 0, 6)]
    [InlineData(0, 4, 7)]
    [InlineData(0, 1000, 1994)]
    [InlineData(8, 1, 1021)]
    public void StoredHashIndex_Coordinates_DenseIndex(int level, long n, long index)
    {
        Assert.Equal(index, Tlog.StoredHashIndex(level, n));
        Assert.Equal((level, n), Tlog.SplitStoredHashIndex(index));
    }

    // tlog_test.go TestSplitStoredHashIndex.
    [Fact]
    public void SplitStoredHashIndex_EveryCoordinate_RoundTrips()
    {
        for (int level = 0; level < 10; level++)
        {
            for (long n = 0; n < 100; n++)
            {
                long index = Tlog.StoredHashIndex(level, n);
                Assert.Equal((level, n), Tlog.SplitStoredHashIndex(index));
            }
        }
    }

    [Fact]
    public void SplitStoredHashIndex_EveryIndex_InverseOfStoredHashIndex()
    {
        for (long index = 0; index < 5000; index++)
        {
            (int level, long n) = Tlog.SplitStoredHashIndex(index);
            Assert.Equal(index, Tlog.StoredHashIndex(level, n));
        }
    }

    // Found by the fuzz run: the running index passed long.MaxValue and wrapped negative, so the search for the
    // record never ended (Go's loop has the same overflow). long.MaxValue is record 2^62's hash: 2^62 + 2^61 + … + 1.
    [Fact(Timeout = 10_000)]
    public async Task SplitStoredHashIndex_LargestIndex_RecordTwoToThe62()
    {
        (int Level, long N) split = await Task.Run(() => Tlog.SplitStoredHashIndex(long.MaxValue));

        Assert.Equal((0, 1L << 62), split);
        Assert.Equal(long.MaxValue, Tlog.StoredHashIndex(0, 1L << 62));
    }

    [Fact]
    public void StoredHashIndex_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Tlog.StoredHashIndex(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tlog.StoredHashIndex(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tlog.SplitStoredHashIndex(-1));
    }

    [Fact]
    public async Task StoredHashes_SyncAndAsync_SameHashesAndCount()
    {
        var sync = new MemoryLog();
        var async = new MemoryLog();
        Assert.Equal(0, Tlog.StoredHashCount(0));
        for (long i = 0; i < 300; i++)
        {
            IReadOnlyList<TlogHash> a = sync.Add(MemoryLog.Leaf(i));
            IReadOnlyList<TlogHash> b = await async.AddAsync(MemoryLog.Leaf(i));
            Assert.Equal(a, b);
            Assert.Equal(Tlog.RecordHash(MemoryLog.Leaf(i)), a[0]);
            Assert.Equal(Tlog.StoredHashCount(i + 1), sync.Stored.Count);
        }
    }

    [Fact]
    public void RecordHash_HelloWorld_Sha256WithZeroPrefix()
    {
        // note_test.go: RecordHash("hello world") is the hash in its golden tree.
        Assert.Equal("TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=", Tlog.RecordHash("hello world"u8).ToString());
    }

    // docs/go-module-protocols.md "Computed tlog vectors", records "leaf i".
    [Theory]
    [InlineData(1, "G7l9zCFjXUfiZj79/QoXRobZjdcBNS3SzQbotD/T0wU=")]
    [InlineData(2, "/F9riP+FVPdbsvnm85wxsZNtRLaSdu33sSBalVuXYeM=")]
    [InlineData(3, "1Pksj7uJcg6ztVZ3x9fvrd/rENEaGoSguo8aIzN/qpU=")]
    [InlineData(4, "T2MQhKFXxU9U/Psj/164ZQxLoWDClbsTqYMrEJ1SZ34=")]
    [InlineData(7, "WmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmcg=")]
    [InlineData(8, "xcLIIO00L92ozolra5z1uMAKIcxLIHFMxuXTwFw1JAs=")]
    public async Task TreeHashAsync_Leaves_ComputedVector(long n, string expected)
    {
        MemoryLog log = MemoryLog.OfLeaves(n);
        Assert.Equal(expected, (await Tlog.TreeHashAsync(n, log, CancellationToken.None)).ToString());
    }

    [Fact]
    public async Task TreeHashAsync_Empty_ZeroHash()
    {
        TlogHash empty = await Tlog.TreeHashAsync(0, new MemoryLog(), CancellationToken.None);
        Assert.Equal(default, empty);
        Assert.Equal(new byte[32], empty.AsSpan().ToArray());
    }

    [Fact]
    public async Task ProveRecordAsync_Record6Of7_ComputedVector()
    {
        MemoryLog log = MemoryLog.OfLeaves(7);
        IReadOnlyList<TlogHash> proof = await Tlog.ProveRecordAsync(7, 6, log, CancellationToken.None);
        Assert.Equal(Hs("dauSgmjIb0TaXUJBGI7XHkqrLU131tUBF9rZSoQu3gM=", "T2MQhKFXxU9U/Psj/164ZQxLoWDClbsTqYMrEJ1SZ34="), proof);
        Tlog.CheckRecord(proof, 7, H("WmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmcg="), 6, Tlog.RecordHash("leaf 6"u8));
    }

    [Fact]
    public async Task ProveTreeAsync_7From3_ComputedVector()
    {
        MemoryLog log = MemoryLog.OfLeaves(7);
        IReadOnlyList<TlogHash> proof = await Tlog.ProveTreeAsync(7, 3, log, CancellationToken.None);
        Assert.Equal(
            Hs("qze6NNHf4pAV3nF6bVdkqPsCnDp6D1tkuTtUNRiFv3w=", "WL0UluFoSqySAcLmh+565PUclqiw2B7zWDYouT0800U=",
                "/F9riP+FVPdbsvnm85wxsZNtRLaSdu33sSBalVuXYeM=", "AVcbVXvHBnJlDUZ8e62DN+CafzVKcgUfI7Q6eCwPSOY="),
            proof);
        Tlog.CheckTree(proof, 7, H("WmH8K1T5z6cXdPJDIUPdQMbLKxGUf69lp9PaXLZRmcg="), 3, H("1Pksj7uJcg6ztVZ3x9fvrd/rENEaGoSguo8aIzN/qpU="));
    }

    // tlog_test.go TestTree, without tiles (TileHashReaderTests covers those): every record proof and tree proof of
    // every tree up to 300 records verifies, and, as in Go's test up to 100 records (each refusal is an exception,
    // which is what costs time), flipping one bit of any proof hash makes it fail.
    [Fact]
    public async Task ProveAndCheck_EveryTreeUpTo300_VerifiesAndRejectsTampering()
    {
        const int Size = 300;
        const int TamperedSize = 100;
        MemoryLog log = MemoryLog.OfLeaves(Size);
        var trees = new TlogHash[Size + 1];
        for (long t = 1; t <= Size; t++)
        {
            trees[t] = await Tlog.TreeHashAsync(t, log, CancellationToken.None);
        }
        for (long t = 1; t <= Size; t++)
        {
            for (long n = 0; n < t; n++)
            {
                IReadOnlyList<TlogHash> proof = await Tlog.ProveRecordAsync(t, n, log, CancellationToken.None);
                Tlog.CheckRecord(proof, t, trees[t], n, log.RecordHashes[(int)n]);
                for (int k = 0; t <= TamperedSize && k < proof.Count; k++)
                {
                    TlogHash[] bad = Flip(proof, k);
                    TlogException e = Assert.Throws<TlogException>(() => Tlog.CheckRecord(bad, t, trees[t], n, log.RecordHashes[(int)n]));
                    Assert.Equal("invalid transparency proof", e.Message);
                }
            }
            for (long n = 1; n <= t; n++)
            {
                IReadOnlyList<TlogHash> proof = await Tlog.ProveTreeAsync(t, n, log, CancellationToken.None);
                Tlog.CheckTree(proof, t, trees[t], n, trees[n]);
                for (int k = 0; t <= TamperedSize && k < proof.Count; k++)
                {
                    TlogHash[] bad = Flip(proof, k);
                    TlogException e = Assert.Throws<TlogException>(() => Tlog.CheckTree(bad, t, trees[t], n, trees[n]));
                    Assert.Equal("invalid transparency proof", e.Message);
                }
            }
        }
    }

    private static TlogHash[] Flip(IReadOnlyList<TlogHash> proof, int k)
    {
        TlogHash[] copy = [.. proof];
        byte[] bytes = copy[k].AsSpan().ToArray();
        bytes[0] ^= 1;
        copy[k] = TlogHash.FromBytes(bytes);
        return copy;
    }

    [Fact]
    public async Task CheckRecord_WrongLeafOrTreeOrLength_Throws()
    {
        MemoryLog log = MemoryLog.OfLeaves(20);
        TlogHash th = await Tlog.TreeHashAsync(20, log, CancellationToken.None);
        IReadOnlyList<TlogHash> proof = await Tlog.ProveRecordAsync(20, 5, log, CancellationToken.None);

        Assert.Throws<TlogException>(() => Tlog.CheckRecord(proof, 20, th, 5, log.RecordHashes[6]));
        Assert.Throws<TlogException>(() => Tlog.CheckRecord(proof, 20, th, 6, log.RecordHashes[5]));
        Assert.Throws<TlogException>(() => Tlog.CheckRecord(proof, 20, log.RecordHashes[0], 5, log.RecordHashes[5]));
        Assert.Throws<TlogException>(() => Tlog.CheckRecord([.. proof, proof[0]], 20, th, 5, log.RecordHashes[5]));
        Assert.Throws<TlogException>(() => Tlog.CheckRecord(proof.Take(proof.Count - 1).ToArray(), 20, th, 5, log.RecordHashes[5]));
        // A one-record tree needs an empty proof.
        Assert.Throws<TlogException>(() => Tlog.CheckRecord([th], 1, log.RecordHashes[0], 0, log.RecordHashes[0]));
        Tlog.CheckRecord([], 1, log.RecordHashes[0], 0, log.RecordHashes[0]);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 5)]
    [InlineData(5, -1)]
    [InlineData(-1, 0)]
    public async Task ProveRecordAndCheckRecord_InvalidInputs_Throw(long t, long n)
    {
        MemoryLog log = MemoryLog.OfLeaves(5);
        TlogException prove = await Assert.ThrowsAsync<TlogException>(async () => await Tlog.ProveRecordAsync(t, n, log, CancellationToken.None));
        Assert.Equal("tlog: invalid inputs in ProveRecord", prove.Message);
        TlogException check = Assert.Throws<TlogException>(() => Tlog.CheckRecord([], t, default, n, default));
        Assert.Equal("tlog: invalid inputs in CheckRecord", check.Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 0)]
    [InlineData(5, 6)]
    [InlineData(-1, 1)]
    public async Task ProveTreeAndCheckTree_InvalidInputs_Throw(long t, long n)
    {
        MemoryLog log = MemoryLog.OfLeaves(5);
        TlogException prove = await Assert.ThrowsAsync<TlogException>(async () => await Tlog.ProveTreeAsync(t, n, log, CancellationToken.None));
        Assert.Equal("tlog: invalid inputs in ProveTree", prove.Message);
        TlogException check = Assert.Throws<TlogException>(() => Tlog.CheckTree([], t, default, n, default));
        Assert.Equal("tlog: invalid inputs in CheckTree", check.Message);
    }

    [Fact]
    public async Task CheckTree_SameSize_EmptyProofAndEqualHashes()
    {
        MemoryLog log = MemoryLog.OfLeaves(9);
        TlogHash th = await Tlog.TreeHashAsync(9, log, CancellationToken.None);
        Assert.Empty(await Tlog.ProveTreeAsync(9, 9, log, CancellationToken.None));
        Tlog.CheckTree([], 9, th, 9, th);
        Assert.Throws<TlogException>(() => Tlog.CheckTree([], 9, th, 9, log.RecordHashes[0]));
        Assert.Throws<TlogException>(() => Tlog.CheckTree([th], 9, th, 9, th));
    }

    [Fact]
    public async Task TreeHashAsync_ReaderReturnsTooFewHashes_Throws()
    {
        TlogException e = await Assert.ThrowsAsync<TlogException>(async () => await Tlog.TreeHashAsync(3, new ShortReader(), CancellationToken.None));
        Assert.Equal("tlog: ReadHashes(2 indexes) = 0 hashes", e.Message);
    }

    private sealed class ShortReader : IHashReader
    {
        public ValueTask<IReadOnlyList<TlogHash>> ReadHashesAsync(IReadOnlyList<long> indexes, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<TlogHash>>([]);
    }

    // ct_test.go TestCertificateTransparency: real proofs from Google's Argon 2020 log (testdata/argon2020), showing
    // the proofs are RFC 6962's.
    [Fact]
    public void CheckRecordAndCheckTree_Argon2020Proofs_Verify()
    {
        const long TreeSize = 961984013;
        TlogHash root = H("dwlueapdd7LaOEnX2W2Wp9v2XE+KzejHRQGHwEx0oaM=");
        TlogHash leaf = Tlog.RecordHash(Convert.FromBase64String(CtVectors.LeafInput));

        Tlog.CheckRecord(Hs(CtVectors.AuditPath), TreeSize, root, 10000, leaf);
        Tlog.CheckTree(Hs(CtVectors.Consistency), TreeSize, root, 3654490, H("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ="));

        Assert.Throws<TlogException>(() => Tlog.CheckRecord(Hs(CtVectors.AuditPath), TreeSize, root, 10001, leaf));
        Assert.Throws<TlogException>(() => Tlog.CheckTree(Hs(CtVectors.Consistency), TreeSize, root, 3654491, H("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=")));
    }

    [Fact]
    public void NodeHash_TwoRecordHashes_Sha256WithOnePrefix()
    {
        TlogHash left = Tlog.RecordHash("leaf 0"u8);
        TlogHash right = Tlog.RecordHash("leaf 1"u8);
        byte[] input = [0x01, .. left.AsSpan(), .. right.AsSpan()];
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(input), Tlog.NodeHash(left, right).AsSpan().ToArray());
        Assert.Equal("/F9riP+FVPdbsvnm85wxsZNtRLaSdu33sSBalVuXYeM=", Tlog.NodeHash(left, right).ToString());
        Assert.Equal(System.Security.Cryptography.SHA256.HashData([0x00, .. Encoding.ASCII.GetBytes("leaf 0")]), left.AsSpan().ToArray());
    }
}
