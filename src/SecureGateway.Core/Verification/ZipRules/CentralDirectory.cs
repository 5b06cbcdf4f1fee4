using System.Buffers.Binary;

namespace SecureGateway.Verification.ZipRules;

/// <summary>
/// What a zip's end-of-central-directory record (and its ZIP64 form) declares, read from the file's tail before any
/// entry is parsed: a 500 MiB zip can hold millions of empty entries, and a zip library reads the whole directory into
/// memory before anyone can count them.
/// </summary>
public static class CentralDirectory
{
    /// <summary>Most entries a module zip may declare (far above real modules; bounds the memory the directory takes).</summary>
    public const long MaxEntries = 250_000;

    private const uint EndSignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const int EndSize = 22;
    private const int Zip64LocatorSize = 20;
    private const int Zip64EndSize = 56;

    /// <summary>The entry count the zip declares; null when no end record is found (not a zip: the zip reader says so).</summary>
    public static long? DeclaredEntries(Stream zip)
    {
        var tailLength = (int)Math.Min(zip.Length, EndSize + ushort.MaxValue);
        var tail = new byte[tailLength];
        zip.Seek(-tailLength, SeekOrigin.End);
        zip.ReadExactly(tail);
        for (var at = tailLength - EndSize; at >= 0; at--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(at)) != EndSignature)
            {
                continue;
            }

            long entries = BinaryPrimitives.ReadUInt16LittleEndian(tail.AsSpan(at + 10));
            var locator = at - Zip64LocatorSize;
            if (locator >= 0 && BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(locator)) == Zip64LocatorSignature)
            {
                var zip64End = BinaryPrimitives.ReadInt64LittleEndian(tail.AsSpan(locator + 8));
                if (zip64End >= 0 && zip64End <= zip.Length - Zip64EndSize)
                {
                    var record = new byte[Zip64EndSize];
                    zip.Seek(zip64End, SeekOrigin.Begin);
                    zip.ReadExactly(record);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(record) == Zip64EndSignature)
                    {
                        entries = Math.Max(entries, (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32)), long.MaxValue));
                    }
                }
            }

            zip.Seek(0, SeekOrigin.Begin);
            return entries;
        }

        zip.Seek(0, SeekOrigin.Begin);
        return null;
    }
}
