using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace SecureGateway.Verification;

/// <summary>
/// Reads one zip entry the way Go's archive/zip does: only Store and Deflate, never a byte beyond the declared
/// uncompressed size, exactly the declared size in total, and a matching CRC-32.
/// </summary>
internal static class ZipEntryReader
{
    // Large enough that the vectorised CRC-32 and SHA-256 run at memory speed, not per-call overhead.
    private const int BufferSize = 256 * 1024;

    /// <summary>
    /// How entry names are decoded: Go takes the stored bytes as UTF-8 whatever the zip's flags say. Bytes that are
    /// not UTF-8 become U+FFFD, which the callers refuse.
    /// </summary>
    public static readonly UTF8Encoding NameEncoding = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Streams the entry through SHA-256 (and into <paramref name="copy"/> when given).</summary>
    /// <returns>null with the digest set, or why Go would refuse to read the entry.</returns>
    public static string? Read(ZipArchiveEntry entry, Stream? copy, out byte[] sha256)
    {
        sha256 = [];
        long declared = entry.Length;
        if (declared < 0)
        {
            return "declared uncompressed size is out of range";
        }

        Stream opened;
        try
        {
            opened = entry.Open();
        }
        catch (InvalidDataException)
        {
            return "zip: unsupported compression algorithm or corrupt entry header";
        }
        using (opened)
        {
            // ZipArchiveEntry hides the compression method and silently stops inflating at the declared size,
            // so an oversized entry would go unnoticed. DeflateStream.BaseStream is the raw compressed data:
            // inflate it ourselves.
            if (opened is DeflateStream deflate)
            {
                using var inflated = new DeflateStream(deflate.BaseStream, CompressionMode.Decompress, leaveOpen: true);
                return Hash(inflated, declared, entry.Crc32, copy, out sha256);
            }
            return IsStored(opened, entry)
                ? Hash(opened, declared, entry.Crc32, copy, out sha256)
                : "zip: unsupported compression algorithm";
        }
    }

    // A stored entry opens as a view of its raw bytes, the only entry stream that knows its length.
    // The other method .NET reads, Deflate64, is one Go cannot.
    private static bool IsStored(Stream opened, ZipArchiveEntry entry)
    {
        try
        {
            return opened.Length == entry.CompressedLength;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    private static string? Hash(Stream data, long declared, uint declaredCrc, Stream? copy, out byte[] sha256)
    {
        sha256 = [];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var crc = new Crc32();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            while (true)
            {
                // Ask for at most one byte past the declared size: enough to prove a lie, never a zip bomb.
                int n = data.Read(buffer, 0, (int)Math.Min(BufferSize, declared - total + 1));
                if (n == 0)
                {
                    break;
                }
                total += n;
                if (total > declared)
                {
                    return $"uncompressed size is larger than declared size ({declared} bytes)";
                }
                hash.AppendData(buffer, 0, n);
                crc.Append(buffer.AsSpan(0, n));
                copy?.Write(buffer, 0, n);
            }
            if (total < declared)
            {
                return $"uncompressed size is smaller than declared size ({declared} bytes)";
            }
            // Go skips a zero CRC only when the entry has no data descriptor, a flag ZipArchive does not show:
            // always comparing fails closed.
            if (crc.GetCurrentHashAsUInt32() != declaredCrc)
            {
                return "zip: checksum error";
            }
        }
        catch (InvalidDataException)
        {
            return "zip: corrupt compressed data";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        sha256 = hash.GetHashAndReset();
        return null;
    }
}
