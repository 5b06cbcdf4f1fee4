using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace SecureGateway.Tests.Admission;

/// <summary>
/// Zips that lie: built honestly with System.IO.Compression (which computes the CRCs), then patched in place where a
/// hostile upstream would lie (sizes, the end record, local header names), or given Unix file types Go never writes.
/// </summary>
internal static class HostileZip
{
    private const int EndRecordSize = 22;
    private const int CentralHeaderSize = 46;

    /// <summary>A zip whose entry <paramref name="linkName"/> is marked a symbolic link (Unix mode 0120777) pointing at its content.</summary>
    public static byte[] WithSymlink(IEnumerable<(string Name, byte[] Content)> entries, string linkName)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
                if (name == linkName)
                {
                    entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
                }

                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Declares <paramref name="size"/> as entry <paramref name="index"/>'s uncompressed size, in its central and local headers.</summary>
    public static byte[] DeclareUncompressedSize(byte[] zip, int index, uint size)
    {
        var patched = (byte[])zip.Clone();
        var central = CentralHeaderOffsets(patched)[index];
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(central + 24), size);
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(LocalHeaderOffset(patched, central) + 22), size);
        return patched;
    }

    /// <summary>Changes what the end-of-central-directory record says: entry count, directory size and directory offset.</summary>
    public static byte[] MisstateEnd(byte[] zip, int entryCountDelta = 0, int sizeDelta = 0, int offsetDelta = 0)
    {
        var patched = (byte[])zip.Clone();
        var end = patched.AsSpan(patched.Length - EndRecordSize);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(end[8..]) + entryCountDelta));
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(end[10..]) + entryCountDelta));
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)(BinaryPrimitives.ReadUInt32LittleEndian(end[12..]) + sizeDelta));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)(BinaryPrimitives.ReadUInt32LittleEndian(end[16..]) + offsetDelta));
        return patched;
    }

    /// <summary>
    /// Gives entry <paramref name="index"/> another name in its local header only (same length): readers that stream
    /// local headers (unzip-like tools) see <paramref name="localName"/>, readers of the central directory the original.
    /// </summary>
    public static byte[] RenameInLocalHeader(byte[] zip, int index, string localName)
    {
        var patched = (byte[])zip.Clone();
        var local = LocalHeaderOffset(patched, CentralHeaderOffsets(patched)[index]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(patched.AsSpan(local + 26));
        var name = Encoding.UTF8.GetBytes(localName);
        if (name.Length != nameLength)
        {
            throw new ArgumentException($"the local name must be {nameLength} bytes like the original, not {name.Length}", nameof(localName));
        }

        name.CopyTo(patched, local + 30);
        return patched;
    }

    private static List<int> CentralHeaderOffsets(byte[] zip)
    {
        var end = zip.AsSpan(zip.Length - EndRecordSize);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(end[10..]);
        var at = (int)BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
        var offsets = new List<int>();
        for (var i = 0; i < count; i++)
        {
            offsets.Add(at);
            var header = zip.AsSpan(at);
            at += CentralHeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(header[28..])
                + BinaryPrimitives.ReadUInt16LittleEndian(header[30..]) + BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        }

        return offsets;
    }

    private static int LocalHeaderOffset(byte[] zip, int centralHeader) =>
        (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(centralHeader + 42));
}
