using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace SecureGateway.Tests.GoTooling;

/// <summary>
/// Writes module versions into a GOPROXY-layout directory (<c>&lt;escaped path&gt;/@v/list</c>,
/// <c>&lt;escaped version&gt;.info</c>, <c>.mod</c>, <c>.zip</c>) from raw parts, so a test can serve
/// hand-made or hostile modules with <see cref="StaticGoProxyServer"/>. Nothing is validated: names,
/// go.mod text and zip bytes are written exactly as given. Not thread-safe.
/// </summary>
public sealed class GoProxyLayout
{
    private static readonly DateTimeOffset ZipEntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Uses (and creates if needed) <paramref name="rootDirectory"/>.</summary>
    public GoProxyLayout(string rootDirectory) =>
        RootDirectory = Directory.CreateDirectory(rootDirectory).FullName;

    /// <summary>The GOPROXY-layout directory.</summary>
    public string RootDirectory { get; }

    /// <summary>
    /// Adds a version whose zip holds <paramref name="zipEntries"/> with names exactly as given
    /// (include the <c>path@version/</c> prefix yourself, or use <see cref="ModuleFiles"/>).
    /// </summary>
    public void AddVersion(string modulePath, string version, string goMod, IEnumerable<(string Name, byte[] Content)> zipEntries, DateTimeOffset time) =>
        AddRawZip(modulePath, version, goMod, BuildZip(zipEntries), time);

    /// <summary>Adds a version with the given zip bytes; writes .mod, .info (<c>{"Version","Time"}</c>), .zip and updates list.</summary>
    public void AddRawZip(string modulePath, string version, string goMod, byte[] zipBytes, DateTimeOffset time)
    {
        var versionDirectory = Directory.CreateDirectory(Path.Combine(RootDirectory, Escape(modulePath), "@v")).FullName;
        var info = string.Create(CultureInfo.InvariantCulture, $"{{\"Version\":\"{version}\",\"Time\":\"{time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\"}}\n");
        File.WriteAllText(FilePath(modulePath, version, "info"), info);
        File.WriteAllText(FilePath(modulePath, version, "mod"), goMod);
        File.WriteAllBytes(FilePath(modulePath, version, "zip"), zipBytes);

        var list = Path.Combine(versionDirectory, "list");
        var versions = File.Exists(list) ? File.ReadAllLines(list).Where(line => line.Length > 0).ToList() : [];
        if (!versions.Contains(version, StringComparer.Ordinal))
        {
            versions.Add(version);
        }

        File.WriteAllText(list, string.Concat(versions.Select(v => v + "\n")));
    }

    /// <summary>The file on disk for a version: <paramref name="extension"/> is <c>info</c>, <c>mod</c> or <c>zip</c>. Overwrite it to corrupt a version.</summary>
    public string FilePath(string modulePath, string version, string extension) =>
        Path.Combine(RootDirectory, Escape(modulePath), "@v", $"{Escape(version)}.{extension}");

    /// <summary>The request path a GOPROXY client asks for, e.g. <c>/example.com/!upper.git/@v/v0.1.0.zip</c> (as recorded by <see cref="StaticGoProxyServer"/>).</summary>
    public static string RequestPath(string modulePath, string version, string extension) =>
        $"/{Escape(modulePath)}/@v/{Escape(version)}.{extension}";

    /// <summary>The request path of a module's version list, e.g. <c>/example.com/!upper.git/@v/list</c>.</summary>
    public static string ListRequestPath(string modulePath) => $"/{Escape(modulePath)}/@v/list";

    /// <summary>Zip entries for an ordinary module: each name is prefixed with <c>modulePath@version/</c>, each text UTF-8 encoded.</summary>
    public static IEnumerable<(string Name, byte[] Content)> ModuleFiles(string modulePath, string version, params (string Name, string Text)[] files) =>
        files.Select(file => ($"{modulePath}@{version}/{file.Name}", Encoding.UTF8.GetBytes(file.Text)));

    /// <summary>Builds a zip with System.IO.Compression, entry names and order exactly as given (duplicates and <c>..</c> included).</summary>
    public static byte[] BuildZip(IEnumerable<(string Name, byte[] Content)> entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = ZipEntryTime;
                using var stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    // Go's module.EscapePath/EscapeVersion for valid input: each upper-case ASCII letter becomes '!' + lower-case.
    // Deliberately separate from the product's escaping so tests do not check the product against itself.
    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is >= 'A' and <= 'Z')
            {
                escaped.Append('!').Append((char)(c + ('a' - 'A')));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }
}
