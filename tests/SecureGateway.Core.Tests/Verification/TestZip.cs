using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SecureGateway.Core.Tests.Verification;

/// <summary>Builds zips in memory and patches their headers to make hostile ones.</summary>
internal static class TestZip
{
    // Field offsets in a local file header and in a central directory header.
    private static readonly byte[] LocalHeader = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] CentralHeader = [0x50, 0x4B, 0x01, 0x02];

    public static readonly (int Local, int Central) Method = (8, 10);
    public static readonly (int Local, int Central) Crc = (14, 16);
    public static readonly (int Local, int Central) UncompressedSize = (22, 24);

    public static byte[] Build(IEnumerable<(string Name, string Content)> entries, CompressionLevel level = CompressionLevel.Optimal) =>
        Build(entries.Select(e => (e.Name, Encoding.UTF8.GetBytes(e.Content))), level);

    public static byte[] Build(IEnumerable<(string Name, byte[] Content)> entries, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true, Encoding.UTF8))
        {
            foreach (var (name, content) in entries)
            {
                using Stream stream = zip.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Replaces every occurrence of <paramref name="from"/>; an entry's names appear twice (local and central header).</summary>
    public static void Patch(byte[] zip, byte[] from, byte[] to, int expectedCount = 2)
    {
        int count = 0;
        for (int start = 0; zip.AsSpan(start).IndexOf(from) is var at and >= 0; start += at + 1)
        {
            to.CopyTo(zip, start + at);
            count++;
        }
        Assert.Equal(expectedCount, count);
    }

    /// <summary>Sets a 16- or 32-bit field in the local and central header of the only entry.</summary>
    public static void SetField(byte[] zip, (int Local, int Central) field, uint value, int width = 4)
    {
        int local = zip.AsSpan().IndexOf(LocalHeader);
        int central = zip.AsSpan().IndexOf(CentralHeader);
        foreach (int at in new[] { local + field.Local, central + field.Central })
        {
            if (width == 2)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(at), (ushort)value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(at), value);
            }
        }
    }

    /// <summary>Where the only entry's (compressed) data starts, after its local header.</summary>
    public static int DataOffset(byte[] zip)
    {
        int local = zip.AsSpan().IndexOf(LocalHeader);
        return local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(zip.AsSpan(local + 28));
    }

    public static uint GetCrc(byte[] zip) =>
        BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(zip.AsSpan().IndexOf(CentralHeader) + Crc.Central));
}
