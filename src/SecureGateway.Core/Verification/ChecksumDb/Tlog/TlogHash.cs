using System.Buffers.Binary;

namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A SHA-256 hash identifying a log record, a tree node or a tree root (Go's <c>tlog.Hash</c>).
/// <c>default</c> is the all-zero hash, which is the hash of the empty tree.
/// </summary>
public readonly struct TlogHash : IEquatable<TlogHash>
{
    /// <summary>The size of a hash in bytes.</summary>
    public const int Size = 32;

    private static readonly byte[] Zero = new byte[Size];

    // Never exposed writable; null for default(TlogHash), which reads as all zeros.
    private readonly byte[]? bytes;

    private TlogHash(byte[] bytes) => this.bytes = bytes;

    /// <summary>Copies exactly <see cref="Size"/> bytes into a new hash.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public static TlogHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"a tlog hash is {Size} bytes, not {bytes.Length}", nameof(bytes));
        }
        return new TlogHash(bytes.ToArray());
    }

    /// <summary>Takes ownership of a 32-byte array the caller no longer touches (freshly computed digests).</summary>
    internal static TlogHash Own(byte[] bytes)
    {
        System.Diagnostics.Debug.Assert(bytes.Length == Size);
        return new TlogHash(bytes);
    }

    /// <summary>
    /// Parses standard padded base64 of 32 bytes as Go's <c>tlog.ParseHash</c> does (its decoder skips '\r' and '\n';
    /// anything else outside the alphabet, or missing padding, is refused).
    /// </summary>
    public static bool TryParse(string base64, out TlogHash hash)
    {
        hash = default;
        return base64 is not null && TryParse(base64.AsSpan(), out hash);
    }

    internal static bool TryParse(ReadOnlySpan<char> base64, out TlogHash hash)
    {
        hash = default;
        // 32 bytes encode as 43 alphabet characters and one '='; Go's decoder ignores CR and LF anywhere.
        Span<char> clean = stackalloc char[44];
        int length = 0;
        foreach (char c in base64)
        {
            if (c is '\r' or '\n')
            {
                continue;
            }
            if (length == clean.Length)
            {
                return false;
            }
            clean[length++] = c;
        }
        if (length != 44 || clean[43] != '=')
        {
            return false;
        }
        foreach (char c in clean[..43])
        {
            if (!IsBase64Alphabet(c))
            {
                return false;
            }
        }
        byte[] decoded = new byte[Size + 1];
        if (!Convert.TryFromBase64Chars(clean, decoded, out int written) || written != Size)
        {
            return false;
        }
        hash = new TlogHash(decoded[..Size]);
        return true;
    }

    private static bool IsBase64Alphabet(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '+' or '/';

    /// <summary>The 32 hash bytes.</summary>
    public ReadOnlySpan<byte> AsSpan() => bytes ?? Zero;

    /// <summary>Copies the 32 hash bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => AsSpan().CopyTo(destination);

    /// <summary>Standard padded base64, as Go prints a hash.</summary>
    public override string ToString() => Convert.ToBase64String(AsSpan());

    public bool Equals(TlogHash other) => AsSpan().SequenceEqual(other.AsSpan());

    public override bool Equals(object? obj) => obj is TlogHash other && Equals(other);

    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(AsSpan());

    public static bool operator ==(TlogHash left, TlogHash right) => left.Equals(right);

    public static bool operator !=(TlogHash left, TlogHash right) => !left.Equals(right);
}
