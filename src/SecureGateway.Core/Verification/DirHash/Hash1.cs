using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace SecureGateway.Verification.DirHash;

/// <summary>
/// The "h1:" hash of go.sum and the checksum database (golang.org/x/mod/sumdb/dirhash Hash1): SHA-256 over a
/// summary with one line <c>hex(sha256(content)) + "  " + name + "\n"</c> per file, files sorted by name.
/// </summary>
public static class Hash1
{
    private const string NewlineError = "dirhash: filenames with newlines are not supported";

    // Go's strings are UTF-8 bytes; a name with an unpaired surrogate has no such bytes and is refused.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Hashes the named files, opening each with <paramref name="open"/> (the caller's stream is disposed here).</summary>
    /// <exception cref="ArgumentException">A name contains '\n' or is not valid UTF-16.</exception>
    public static string Compute(IEnumerable<string> fileNames, Func<string, Stream> open)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        ArgumentNullException.ThrowIfNull(open);
        return Summarize(fileNames, name =>
        {
            using Stream content = open(name);
            return SHA256.HashData(content);
        });
    }

    /// <summary>The go.sum hash of a .mod file (<c>path version/go.mod h1:…</c>): Hash1 over one file named "go.mod".</summary>
    public static string OfGoMod(ReadOnlySpan<byte> goMod)
    {
        byte[] digest = SHA256.HashData(goMod);
        return Summarize(["go.mod"], _ => digest);
    }

    /// <summary>
    /// The go.sum hash of a module zip (dirhash.HashZip): every entry, named as stored with its
    /// <c>path@version/</c> prefix. Use it on zips that passed <c>ModuleZipRules.Check</c>: each entry is read
    /// up to its declared size, with no overall limit.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a zip, an entry name that is not UTF-8, or an entry Go cannot read.</exception>
    /// <exception cref="ArgumentException">An entry name contains '\n'.</exception>
    public static string OfZip(string zipFilePath)
    {
        using FileStream file = File.OpenRead(zipFilePath);
        using var archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true, ZipEntryReader.NameEncoding);
        var names = new List<string>(archive.Entries.Count);
        var digests = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            if (entry.FullName.Contains('\uFFFD', StringComparison.Ordinal))
            {
                throw new InvalidDataException($"zip entry name {entry.FullName} is not valid UTF-8");
            }
            if (ZipEntryReader.Read(entry, copy: null, out byte[] digest) is { } failure)
            {
                throw new InvalidDataException($"{entry.FullName}: {failure}");
            }
            // As Go: a repeated name is listed twice and hashed with the content of its last entry.
            names.Add(entry.FullName);
            digests[entry.FullName] = digest;
        }
        return Summarize(names, name => digests[name]);
    }

    /// <summary>The Hash1 summary of named files; <paramref name="digestOf"/> gives each file's SHA-256.</summary>
    internal static string Summarize(IEnumerable<string> fileNames, Func<string, byte[]> digestOf)
    {
        // Go sorts the UTF-8 bytes; UTF-16 ordinal order differs once characters above U+FFFF appear.
        var files = fileNames.Select(name => (Name: name, Utf8: StrictUtf8.GetBytes(name))).ToList();
        if (files.Exists(f => f.Name.Contains('\n', StringComparison.Ordinal)))
        {
            throw new ArgumentException(NewlineError, nameof(fileNames));
        }
        files.Sort((a, b) => a.Utf8.AsSpan().SequenceCompareTo(b.Utf8));

        using var summary = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, utf8) in files)
        {
            summary.AppendData(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(digestOf(name)) + "  "));
            summary.AppendData(utf8);
            summary.AppendData("\n"u8);
        }
        return "h1:" + Convert.ToBase64String(summary.GetHashAndReset());
    }
}
