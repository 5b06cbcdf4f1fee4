using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SecureGateway.Verification.ChecksumDb;
using static SecureGateway.Fuzz.PropertyFailedException;

namespace SecureGateway.Fuzz.Targets;

/// <summary>Tiles and transparency proofs of a log built in memory, served honestly or altered.</summary>
internal static class TlogTargets
{
    public static readonly FuzzTarget Proofs = FuzzTarget.Create(
        "tlog",
        "honest record and tree proofs verify; an altered proof, leaf, index or size never does (TlogException); TileHashReader returns the true hashes or throws TlogException, whatever a tile server changes",
        from treeSize in Gen.Sized(size => Gen.Choose(1, 1 + size * 10))
        from leaf in Gen.Choose(0, treeSize - 1)
        from oldSize in Gen.Choose(1, treeSize)
        from height in Gen.Choose(1, 4)
        from indexCount in Gen.Choose(1, 4)
        from indexes in Gen.ArrayOf(Gen.Choose(0, int.MaxValue), indexCount)
        from alteration in Alteration
        select new ProofInput(treeSize, leaf, oldSize, height, indexes, alteration),
        CheckProofs,
        input => input.ToString());

    public static readonly FuzzTarget Tiles = FuzzTarget.Create(
        "tile",
        "Tile.TryParsePath never throws and accepts only the canonical path of a valid tile; HashFromTile throws only TlogException for any tile, data length and index",
        from h in Gen.Frequency((4, Gen.Choose(1, 30)), (1, Gen.Elements(-1, 0, 31, 63, 64, int.MaxValue)))
        from l in Gen.Frequency((4, Gen.Choose(-1, 5)), (1, Gen.Elements(-2, 63, 64, int.MaxValue)))
        from n in Gen.Frequency((4, Gen.Choose(0, 5000).Select(i => (long)i)), (1, Gen.Elements(-1L, 999L, 1000L, long.MaxValue, long.MinValue)))
        from w in Gen.Frequency((4, Gen.Choose(1, 256)), (1, Gen.Elements(-1, 0, 1 << 30, int.MaxValue)))
        from path in NearValid.Mutated(Gen.Constant(new Tile(Math.Clamp(h, 1, 30), Math.Clamp(l, -1, 63), Math.Max(n, 0), 1).Path()))
        from dataLength in Gen.Choose(0, 300)
        from index in Gen.Frequency((4, Gen.Choose(0, 100000).Select(i => (long)i)), (1, Gen.Elements(0L, long.MaxValue, (long)int.MaxValue * 3)))
        select new TileInput(new Tile(h, l, n, w), path.Text, dataLength, index),
        CheckTile,
        input => input.ToString());

    private sealed record ProofInput(int TreeSize, int Leaf, int OldSize, int Height, int[] Indexes, ProofAlteration Alteration);

    private sealed record TileInput(Tile Tile, string Path, int DataLength, long Index)
    {
        public override string ToString() => $"{Tile} path {Printable.Quote(Path)}, {DataLength} bytes of data, index {Index}";
    }

    /// <summary>What is changed: 0 nothing, 1 a proof hash, 2 the proof's length, 3 the leaf or old hash, 4 the index or old size, 5 a tile.</summary>
    private sealed record ProofAlteration(int Kind, int At, byte Xor);

    private static Gen<ProofAlteration> Alteration =>
        from kind in Gen.Choose(0, 5)
        from at in Gen.Choose(0, int.MaxValue)
        from xor in Gen.Choose(1, 255)
        select new ProofAlteration(kind, at, (byte)xor);

    private static void CheckProofs(ProofInput input)
    {
        var log = MemoryLog.Of(input.TreeSize);
        TlogHash th = Tlog.TreeHashAsync(input.TreeSize, log, default).AsTask().GetAwaiter().GetResult();
        ProofAlteration alteration = input.Alteration;

        var recordProof = Tlog.ProveRecordAsync(input.TreeSize, input.Leaf, log, default).AsTask().GetAwaiter().GetResult().ToList();
        TlogHash leafHash = log.RecordHash(input.Leaf);
        long leaf = input.Leaf;
        bool altered = alteration.Kind switch
        {
            1 => AlterHash(recordProof, alteration),
            2 => AlterLength(recordProof, alteration),
            3 => Flip(ref leafHash, alteration),
            4 => OtherIndex(ref leaf, input.TreeSize, alteration),
            _ => false,
        };
        RequireVerdict(() => Tlog.CheckRecord(recordProof, input.TreeSize, th, leaf, leafHash), altered, "record proof");

        var treeProof = Tlog.ProveTreeAsync(input.TreeSize, input.OldSize, log, default).AsTask().GetAwaiter().GetResult().ToList();
        TlogHash oldHash = Tlog.TreeHashAsync(input.OldSize, log, default).AsTask().GetAwaiter().GetResult();
        long oldSize = input.OldSize;
        altered = alteration.Kind switch
        {
            1 => AlterHash(treeProof, alteration),
            2 => AlterLength(treeProof, alteration),
            3 => Flip(ref oldHash, alteration),
            4 => OtherIndex(ref oldSize, input.TreeSize + 1, alteration) && oldSize > 0,
            _ => false,
        };
        if (oldSize > 0)
        {
            RequireVerdict(() => Tlog.CheckTree(treeProof, input.TreeSize, th, oldSize, oldHash), altered, "tree proof");
        }

        CheckTileReader(input, log, th);
    }

    private static void CheckTileReader(ProofInput input, MemoryLog log, TlogHash th)
    {
        long limit = Tlog.StoredHashIndex(0, input.TreeSize);
        long[] indexes = [.. input.Indexes.Select(i => i % limit).Order()];
        var server = new AlteringTileServer(input.Height, log, input.Alteration.Kind == 5 ? input.Alteration : null);
        IReadOnlyList<TlogHash> hashes;
        try
        {
            hashes = new TileHashReader(new TreeHead(input.TreeSize, th), server).ReadHashesAsync(indexes, default).AsTask().GetAwaiter().GetResult();
        }
        catch (TlogException e)
        {
            Require(server.Altered, $"honest tiles refused: {e.Message}");
            return;
        }
        Require(hashes.SequenceEqual(indexes.Select(log.StoredHash)), $"returned a hash that is not in the tree (tiles altered: {server.Altered})");
    }

    private static void RequireVerdict(Action check, bool altered, string what)
    {
        try
        {
            check();
        }
        catch (TlogException e)
        {
            Require(altered, $"honest {what} refused: {e.Message}");
            return;
        }
        Require(!altered, $"altered {what} verified");
    }

    private static bool AlterHash(List<TlogHash> proof, ProofAlteration alteration)
    {
        if (proof.Count == 0)
        {
            return false;
        }
        int i = alteration.At % proof.Count;
        TlogHash hash = proof[i];
        Flip(ref hash, alteration);
        proof[i] = hash;
        return true;
    }

    private static bool AlterLength(List<TlogHash> proof, ProofAlteration alteration)
    {
        if (proof.Count > 0 && alteration.At % 2 == 0)
        {
            proof.RemoveAt(alteration.At / 2 % proof.Count);
        }
        else
        {
            proof.Insert(alteration.At % (proof.Count + 1), Tlog.RecordHash(BitConverter.GetBytes(alteration.At)));
        }
        return true;
    }

    private static bool Flip(ref TlogHash hash, ProofAlteration alteration)
    {
        byte[] bytes = hash.AsSpan().ToArray();
        bytes[alteration.At % TlogHash.Size] ^= alteration.Xor;
        hash = TlogHash.FromBytes(bytes);
        return true;
    }

    private static bool OtherIndex(ref long index, long bound, ProofAlteration alteration)
    {
        long other = alteration.At % bound;
        bool changed = other != index;
        index = other;
        return changed;
    }

    private static void CheckTile(TileInput input)
    {
        if (Tile.TryParsePath(input.Path, out Tile parsed))
        {
            Require(parsed.Path() == input.Path, $"accepted {Printable.Quote(input.Path)} as {parsed}, whose path is {Printable.Quote(parsed.Path())}");
            Require(parsed.H is >= 1 and <= 30 && parsed.L >= -1 && parsed.N >= 0 && parsed.W >= 1 && parsed.W <= 1 << parsed.H, $"accepted invalid {parsed}");
        }
        string path = input.Tile.Path();
        if (Tile.TryParsePath(path, out Tile roundTrip))
        {
            Require(roundTrip == input.Tile, $"{input.Tile} parses back as {roundTrip}");
        }
        try
        {
            Tile.HashFromTile(input.Tile, new byte[input.DataLength], input.Index);
        }
        catch (TlogException)
        {
            // HashFromTile's documented refusal.
        }
    }

    /// <summary>Serves the tiles of a log, perhaps with one tile's bytes changed, cut or swapped with another's.</summary>
    private sealed class AlteringTileServer(int height, MemoryLog log, ProofAlteration? alteration) : ITileReader
    {
        public int Height => height;

        public bool Altered { get; private set; }

        public async ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
        {
            var data = new List<byte[]>();
            foreach (Tile tile in tiles)
            {
                data.Add(await Tile.ReadTileDataAsync(tile, log, cancellationToken));
            }
            if (alteration is { } a && data.Count > 0)
            {
                int i = a.At % data.Count;
                switch (a.Xor % 3)
                {
                    case 0:
                        data[i][a.At / 7 % data[i].Length] ^= a.Xor;
                        break;
                    case 1:
                        data[i] = data[i][..^1];
                        break;
                    default:
                        int j = (i + 1) % data.Count;
                        (data[i], data[j]) = (data[j], data[i]);
                        break;
                }
                Altered = !data.Select(d => Convert.ToBase64String(d)).SequenceEqual(await Honest(tiles, cancellationToken));
            }
            return data;
        }

        public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data)
        {
        }

        private async Task<List<string>> Honest(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
        {
            var honest = new List<string>();
            foreach (Tile tile in tiles)
            {
                honest.Add(Convert.ToBase64String(await Tile.ReadTileDataAsync(tile, log, cancellationToken)));
            }
            return honest;
        }
    }

    /// <summary>The stored hashes of a log of records "record 0" … "record n-1".</summary>
    private sealed class MemoryLog : IHashReader
    {
        private readonly List<TlogHash> stored = [];
        private readonly List<TlogHash> records = [];

        public static MemoryLog Of(int n)
        {
            var log = new MemoryLog();
            for (int i = 0; i < n; i++)
            {
                TlogHash record = Tlog.RecordHash(Encoding.UTF8.GetBytes($"record {i}"));
                log.stored.AddRange(Tlog.StoredHashesForRecordHash(i, record, index => log.stored[(int)index]));
                log.records.Add(record);
            }
            return log;
        }

        public TlogHash RecordHash(long n) => records[(int)n];

        public TlogHash StoredHash(long index) => stored[(int)index];

        public ValueTask<IReadOnlyList<TlogHash>> ReadHashesAsync(IReadOnlyList<long> indexes, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<TlogHash>>([.. indexes.Select(StoredHash)]);
    }
}
