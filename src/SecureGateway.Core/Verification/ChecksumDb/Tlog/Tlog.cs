using System.Diagnostics;
using System.Numerics;
using System.Security.Cryptography;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// The tamper-evident log of the Go checksum database (golang.org/x/mod/sumdb/tlog, after RFC 6962): record and
/// node hashes, the dense stored-hash ordering, tree hashes, and record (audit) and tree (consistency) proofs.
/// </summary>
/// <remarks>
/// Stored hashes follow Crosby and Wallach's ordering: level L's n'th hash is stored right after level L+1's
/// (2n+1)'th. Every method that needs stored hashes asks its <see cref="IHashReader"/> once, for increasing indexes.
/// </remarks>
public static class Tlog
{
    /// <summary>Go's <c>errProofFailed</c> text.</summary>
    internal const string ProofFailed = "invalid transparency proof";

    /// <summary>The content hash of a record: SHA-256(0x00 ‖ data).</summary>
    public static TlogHash RecordHash(ReadOnlySpan<byte> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData([0x00]);
        sha.AppendData(data);
        return TlogHash.Own(sha.GetHashAndReset());
    }

    /// <summary>The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).</summary>
    public static TlogHash NodeHash(TlogHash left, TlogHash right)
    {
        Span<byte> input = stackalloc byte[1 + TlogHash.Size + TlogHash.Size];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + TlogHash.Size)..]);
        return TlogHash.Own(SHA256.HashData(input));
    }

    /// <summary><see cref="NodeHash(TlogHash, TlogHash)"/> of two adjacent hashes (64 bytes), written to <paramref name="destination"/>.</summary>
    internal static void NodeHash(ReadOnlySpan<byte> leftAndRight, Span<byte> destination)
    {
        Debug.Assert(leftAndRight.Length == 2 * TlogHash.Size);
        Span<byte> input = stackalloc byte[1 + TlogHash.Size + TlogHash.Size];
        input[0] = 0x01;
        leftAndRight.CopyTo(input[1..]);
        SHA256.HashData(input, destination);
    }

    /// <summary>Maps tree coordinates (level, n) to the dense stored-hash ordering.</summary>
    public static long StoredHashIndex(int level, long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        // Work down to level 0: level L's n'th hash is stored right after level L+1's (2n+1)'th.
        for (int l = level; l > 0; l--)
        {
            n = 2 * n + 1;
        }
        // Level 0's n'th hash is stored at n + n/2 + n/4 + …
        long i = 0;
        for (; n > 0; n >>= 1)
        {
            i += n;
        }
        return i + level;
    }

    /// <summary>The inverse of <see cref="StoredHashIndex"/>.</summary>
    public static (int Level, long N) SplitStoredHashIndex(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        // StoredHashIndex(0, n) < 2n, so the record we want is in [index/2, index/2 + log₂ index].
        long n = index / 2;
        long indexN = StoredHashIndex(0, n);
        if (indexN > index)
        {
            throw new UnreachableException("tlog: bad math in SplitStoredHashIndex");
        }
        while (true)
        {
            // Record n adds 1 + trailingZeros(n+1) hashes. Compared as a distance: near long.MaxValue the next
            // index itself would overflow and the loop never end.
            int added = 1 + BitOperations.TrailingZeroCount((ulong)(n + 1));
            if (added > index - indexN)
            {
                break;
            }
            n++;
            indexN += added;
        }
        // The hash was stored with record n: it is one of (0, n), (1, n/2), (2, n/4), …
        int level = (int)(index - indexN);
        return (level, n >> level);
    }

    /// <summary>The number of stored hashes of a tree with <paramref name="n"/> records.</summary>
    public static long StoredHashCount(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (n == 0)
        {
            return 0;
        }
        // The hashes up to the last leaf, then one per subtree that leaf completes.
        long count = StoredHashIndex(0, n - 1) + 1;
        for (ulong i = (ulong)(n - 1); (i & 1) != 0; i >>= 1)
        {
            count++;
        }
        return count;
    }

    /// <summary>
    /// The hashes to append to the stored-hash array, starting at <c>StoredHashIndex(0, n)</c>, when record
    /// <paramref name="n"/> with <paramref name="data"/> is added: its record hash, then one hash per subtree it
    /// completes. Reads up to log₂ n earlier stored hashes from <paramref name="reader"/>.
    /// </summary>
    public static async ValueTask<IReadOnlyList<TlogHash>> StoredHashesAsync(
        long n, ReadOnlyMemory<byte> data, IHashReader reader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        TlogHash recordHash = RecordHash(data.Span);
        long[] indexes = CompletedSubtreeIndexes(n);
        IReadOnlyList<TlogHash> old = await ReadAsync(reader, indexes, ct).ConfigureAwait(false);
        return AppendCompletedSubtrees(recordHash, old);
    }

    /// <summary>
    /// Like <see cref="StoredHashesAsync"/>, from the record hash, for a caller holding the stored hashes at hand
    /// (<paramref name="readStoredHash"/> maps a stored-hash index to its hash).
    /// </summary>
    public static IReadOnlyList<TlogHash> StoredHashesForRecordHash(long n, TlogHash recordHash, Func<long, TlogHash> readStoredHash)
    {
        ArgumentNullException.ThrowIfNull(readStoredHash);
        long[] indexes = CompletedSubtreeIndexes(n);
        var old = new TlogHash[indexes.Length];
        for (int i = 0; i < indexes.Length; i++)
        {
            old[i] = readStoredHash(indexes[i]);
        }
        return AppendCompletedSubtrees(recordHash, old);
    }

    // Each trailing 1 bit of n completes a subtree, which consumes the hash of its left sibling. Sorted ascending.
    private static long[] CompletedSubtreeIndexes(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int m = BitOperations.TrailingZeroCount((ulong)(n + 1));
        var indexes = new long[m];
        for (int i = 0; i < m; i++)
        {
            // n >> i is odd here, so its left sibling is (n >> i) - 1.
            indexes[m - 1 - i] = StoredHashIndex(i, (n >> i) - 1);
        }
        return indexes;
    }

    private static TlogHash[] AppendCompletedSubtrees(TlogHash recordHash, IReadOnlyList<TlogHash> old)
    {
        int m = old.Count;
        var hashes = new TlogHash[1 + m];
        TlogHash h = hashes[0] = recordHash;
        for (int i = 0; i < m; i++)
        {
            h = hashes[i + 1] = NodeHash(old[m - 1 - i], h);
        }
        return hashes;
    }

    /// <summary>
    /// The root hash of the tree with <paramref name="n"/> records, from at most 1 + log₂ n stored hashes.
    /// The empty tree's hash is all zeros (<c>default</c>).
    /// </summary>
    public static async ValueTask<TlogHash> TreeHashAsync(long n, IHashReader reader, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentNullException.ThrowIfNull(reader);
        if (n == 0)
        {
            return default;
        }
        List<long> indexes = SubtreeIndexes(0, n, []);
        IReadOnlyList<TlogHash> hashes = await ReadAsync(reader, indexes, ct).ConfigureAwait(false);
        int pos = 0;
        TlogHash hash = SubtreeHash(0, n, hashes, ref pos);
        if (pos != hashes.Count)
        {
            throw new UnreachableException("tlog: bad index math in TreeHash");
        }
        return hash;
    }

    /// <summary>The proof (RFC 6962 audit path) that the tree of size <paramref name="t"/> contains record <paramref name="n"/>.</summary>
    /// <exception cref="TlogException">Invalid inputs, or the reader returned the wrong number of hashes.</exception>
    public static async ValueTask<IReadOnlyList<TlogHash>> ProveRecordAsync(long t, long n, IHashReader reader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (t < 0 || n < 0 || n >= t)
        {
            throw new TlogException("tlog: invalid inputs in ProveRecord");
        }
        List<long> indexes = LeafProofIndexes(0, t, n, []);
        if (indexes.Count == 0)
        {
            return [];
        }
        IReadOnlyList<TlogHash> hashes = await ReadAsync(reader, indexes, ct).ConfigureAwait(false);
        int pos = 0;
        var proof = new List<TlogHash>(hashes.Count);
        LeafProof(0, t, n, hashes, ref pos, proof);
        if (pos != hashes.Count)
        {
            throw new UnreachableException("tlog: bad index math in ProveRecord");
        }
        return proof;
    }

    /// <summary>Checks that <paramref name="proof"/> proves the tree of size <paramref name="t"/> and hash <paramref name="th"/> has record <paramref name="n"/> with hash <paramref name="h"/>.</summary>
    /// <exception cref="TlogException">The proof does not verify ("invalid transparency proof") or the inputs are invalid.</exception>
    public static void CheckRecord(IReadOnlyList<TlogHash> proof, long t, TlogHash th, long n, TlogHash h)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (t < 0 || n < 0 || n >= t)
        {
            throw new TlogException("tlog: invalid inputs in CheckRecord");
        }
        if (RunRecordProof(proof, proof.Count, 0, t, n, h) != th)
        {
            throw new TlogException(ProofFailed);
        }
    }

    /// <summary>The proof (RFC 6962 consistency proof) that the tree of size <paramref name="t"/> has the tree of size <paramref name="n"/> as a prefix.</summary>
    /// <exception cref="TlogException">Invalid inputs, or the reader returned the wrong number of hashes.</exception>
    public static async ValueTask<IReadOnlyList<TlogHash>> ProveTreeAsync(long t, long n, IHashReader reader, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (t < 1 || n < 1 || n > t)
        {
            throw new TlogException("tlog: invalid inputs in ProveTree");
        }
        List<long> indexes = TreeProofIndexes(0, t, n, []);
        if (indexes.Count == 0)
        {
            return [];
        }
        IReadOnlyList<TlogHash> hashes = await ReadAsync(reader, indexes, ct).ConfigureAwait(false);
        int pos = 0;
        var proof = new List<TlogHash>(hashes.Count);
        TreeProof(0, t, n, hashes, ref pos, proof);
        if (pos != hashes.Count)
        {
            throw new UnreachableException("tlog: bad index math in ProveTree");
        }
        return proof;
    }

    /// <summary>Checks that <paramref name="proof"/> proves the tree of size <paramref name="t"/> and hash <paramref name="th"/> has as a prefix the tree of size <paramref name="n"/> and hash <paramref name="h"/>.</summary>
    /// <exception cref="TlogException">The proof does not verify ("invalid transparency proof") or the inputs are invalid.</exception>
    public static void CheckTree(IReadOnlyList<TlogHash> proof, long t, TlogHash th, long n, TlogHash h)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (t < 1 || n < 1 || n > t)
        {
            throw new TlogException("tlog: invalid inputs in CheckTree");
        }
        (TlogHash oldHash, TlogHash newHash) = RunTreeProof(proof, proof.Count, 0, t, n, h);
        if (newHash != th || oldHash != h)
        {
            throw new TlogException(ProofFailed);
        }
    }

    internal static async ValueTask<IReadOnlyList<TlogHash>> ReadAsync(IHashReader reader, IReadOnlyList<long> indexes, CancellationToken ct)
    {
        IReadOnlyList<TlogHash> hashes = await reader.ReadHashesAsync(indexes, ct).ConfigureAwait(false);
        if (hashes is null || hashes.Count != indexes.Count)
        {
            throw new TlogException($"tlog: ReadHashes({indexes.Count} indexes) = {hashes?.Count ?? 0} hashes");
        }
        return hashes;
    }

    /// <summary>k, the largest power of two smaller than n (1 for n ≤ 2), and log₂ k.</summary>
    private static (long K, int Level) MaxPow2(long n)
    {
        int level = n <= 2 ? 0 : BitOperations.Log2((ulong)(n - 1));
        return (1L << level, level);
    }

    // The stored-hash indexes needed for the hash of the subtree of records [lo, hi), appended to need.
    // See https://tools.ietf.org/html/rfc6962#section-2.1 and SubtreeHash for how they combine.
    internal static List<long> SubtreeIndexes(long lo, long hi, List<long> need)
    {
        while (lo < hi)
        {
            (long k, int level) = MaxPow2(hi - lo + 1);
            if ((lo & (k - 1)) != 0)
            {
                throw new UnreachableException("tlog: bad math in subTreeIndex");
            }
            need.Add(StoredHashIndex(level, lo >> level));
            lo += k;
        }
        return need;
    }

    // The hash of the subtree of records [lo, hi) from the hashes at SubtreeIndexes(lo, hi), consumed from pos.
    // The subtree splits into a complete left part of 2^level records, stored as one hash, and the rest.
    private static TlogHash SubtreeHash(long lo, long hi, IReadOnlyList<TlogHash> hashes, ref int pos)
    {
        int parts = 0;
        while (lo < hi)
        {
            (long k, _) = MaxPow2(hi - lo + 1);
            if ((lo & (k - 1)) != 0)
            {
                throw new UnreachableException("tlog: bad math in subTreeHash");
            }
            parts++;
            lo += k;
        }
        if (parts == 0 || hashes.Count - pos < parts)
        {
            throw new UnreachableException("tlog: bad index math in subTreeHash");
        }
        TlogHash h = hashes[pos + parts - 1];
        for (int i = parts - 2; i >= 0; i--)
        {
            h = NodeHash(hashes[pos + i], h);
        }
        pos += parts;
        return h;
    }

    // See https://tools.ietf.org/html/rfc6962#section-2.1.1: the indexes for the proof that leaf n is in [lo, hi).
    private static List<long> LeafProofIndexes(long lo, long hi, long n, List<long> need)
    {
        if (!(lo <= n && n < hi))
        {
            throw new UnreachableException("tlog: bad math in leafProofIndex");
        }
        if (lo + 1 == hi)
        {
            return need;
        }
        (long k, _) = MaxPow2(hi - lo);
        if (n < lo + k)
        {
            LeafProofIndexes(lo, lo + k, n, need);
            SubtreeIndexes(lo + k, hi, need);
        }
        else
        {
            SubtreeIndexes(lo, lo + k, need);
            LeafProofIndexes(lo + k, hi, n, need);
        }
        return need;
    }

    // Walks down toward leaf n, appending the hash of each path not taken, deepest first.
    private static void LeafProof(long lo, long hi, long n, IReadOnlyList<TlogHash> hashes, ref int pos, List<TlogHash> proof)
    {
        if (!(lo <= n && n < hi))
        {
            throw new UnreachableException("tlog: bad math in leafProof");
        }
        if (lo + 1 == hi)
        {
            // The verifier knows the leaf hash.
            return;
        }
        (long k, _) = MaxPow2(hi - lo);
        TlogHash sibling;
        if (n < lo + k)
        {
            LeafProof(lo, lo + k, n, hashes, ref pos, proof);
            sibling = SubtreeHash(lo + k, hi, hashes, ref pos);
        }
        else
        {
            sibling = SubtreeHash(lo, lo + k, hashes, ref pos);
            LeafProof(lo + k, hi, n, hashes, ref pos, proof);
        }
        proof.Add(sibling);
    }

    // The hash of [lo, hi) implied by the first `count` hashes of the proof that leaf n (hash leafHash) is in it.
    private static TlogHash RunRecordProof(IReadOnlyList<TlogHash> proof, int count, long lo, long hi, long n, TlogHash leafHash)
    {
        if (!(lo <= n && n < hi))
        {
            throw new UnreachableException("tlog: bad math in runRecordProof");
        }
        if (lo + 1 == hi)
        {
            // The proof must not have unnecessary hashes.
            return count == 0 ? leafHash : throw new TlogException(ProofFailed);
        }
        if (count == 0)
        {
            throw new TlogException(ProofFailed);
        }
        (long k, _) = MaxPow2(hi - lo);
        TlogHash last = proof[count - 1];
        return n < lo + k
            ? NodeHash(RunRecordProof(proof, count - 1, lo, lo + k, n, leafHash), last)
            : NodeHash(last, RunRecordProof(proof, count - 1, lo + k, hi, n, leafHash));
    }

    // See https://tools.ietf.org/html/rfc6962#section-2.1.2: the indexes for the sub-proof of [lo, hi)
    // that the old tree of n records is a prefix.
    private static List<long> TreeProofIndexes(long lo, long hi, long n, List<long> need)
    {
        if (!(lo < n && n <= hi))
        {
            throw new UnreachableException("tlog: bad math in treeProofIndex");
        }
        if (n == hi)
        {
            return lo == 0 ? need : SubtreeIndexes(lo, hi, need);
        }
        (long k, _) = MaxPow2(hi - lo);
        if (n <= lo + k)
        {
            TreeProofIndexes(lo, lo + k, n, need);
            SubtreeIndexes(lo + k, hi, need);
        }
        else
        {
            SubtreeIndexes(lo, lo + k, need);
            TreeProofIndexes(lo + k, hi, n, need);
        }
        return need;
    }

    private static void TreeProof(long lo, long hi, long n, IReadOnlyList<TlogHash> hashes, ref int pos, List<TlogHash> proof)
    {
        if (!(lo < n && n <= hi))
        {
            throw new UnreachableException("tlog: bad math in treeProof");
        }
        if (n == hi)
        {
            // Common ground. When lo == 0 this is exactly the old tree, whose hash the verifier knows.
            if (lo != 0)
            {
                proof.Add(SubtreeHash(lo, hi, hashes, ref pos));
            }
            return;
        }
        (long k, _) = MaxPow2(hi - lo);
        TlogHash sibling;
        if (n <= lo + k)
        {
            TreeProof(lo, lo + k, n, hashes, ref pos, proof);
            sibling = SubtreeHash(lo + k, hi, hashes, ref pos);
        }
        else
        {
            sibling = SubtreeHash(lo, lo + k, hashes, ref pos);
            TreeProof(lo + k, hi, n, hashes, ref pos, proof);
        }
        proof.Add(sibling);
    }

    // The hashes of [lo, hi) in the old tree (n records, hash oldHash) and in the new tree implied by the first
    // `count` hashes of the proof.
    private static (TlogHash Old, TlogHash New) RunTreeProof(IReadOnlyList<TlogHash> proof, int count, long lo, long hi, long n, TlogHash oldHash)
    {
        if (!(lo < n && n <= hi))
        {
            throw new UnreachableException("tlog: bad math in runTreeProof");
        }
        if (n == hi)
        {
            if (lo == 0)
            {
                return count == 0 ? (oldHash, oldHash) : throw new TlogException(ProofFailed);
            }
            return count == 1 ? (proof[0], proof[0]) : throw new TlogException(ProofFailed);
        }
        if (count == 0)
        {
            throw new TlogException(ProofFailed);
        }
        (long k, _) = MaxPow2(hi - lo);
        TlogHash last = proof[count - 1];
        if (n <= lo + k)
        {
            (TlogHash oh, TlogHash th) = RunTreeProof(proof, count - 1, lo, lo + k, n, oldHash);
            return (oh, NodeHash(th, last));
        }
        else
        {
            (TlogHash oh, TlogHash th) = RunTreeProof(proof, count - 1, lo + k, hi, n, oldHash);
            return (NodeHash(last, oh), NodeHash(last, th));
        }
    }
}
