using System.Text;
using System.Text.Json;

namespace SecureGateway.Ledger;

/// <summary>
/// Ledger entries the database could not take, on disk until it can: one file of JSON lines per batch
/// (<c>*.jsonl</c>, written as <c>*.tmp</c>, fsync'd, then renamed), replayed oldest first and deleted once written.
/// </summary>
public sealed class LedgerSpool(string directory)
{
    private const string Extension = ".jsonl";
    private const string PartialExtension = ".tmp";
    private const string RejectedExtension = ".rejected";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private long sequence;

    public string Directory { get; } = directory;

    /// <summary>Writes the entries durably (fsync) before returning.</summary>
    /// <exception cref="IOException">The spool directory cannot be written.</exception>
    public void Append(IReadOnlyCollection<LedgerEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{DateTime.UtcNow:yyyyMMdd'T'HHmmssfffffff}-{Environment.ProcessId}-{Interlocked.Increment(ref sequence):D8}";
        var partial = Path.Combine(Directory, name + PartialExtension);
        using (var stream = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
        {
            foreach (var entry in entries)
            {
                JsonSerializer.Serialize(stream, entry, Json);
                stream.WriteByte((byte)'\n');
            }

            stream.Flush(flushToDisk: true);
        }

        File.Move(partial, Path.Combine(Directory, name + Extension));
    }

    /// <summary>Spool files waiting to be replayed, oldest first.</summary>
    public IReadOnlyList<string> Pending() =>
        System.IO.Directory.Exists(Directory)
            ? [.. System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>How many pulls are waiting on disk.</summary>
    public int CountPending() => Pending().Sum(file => Read(file).Sum(entry => entry.Count));

    /// <summary>
    /// After a crash: files caught between write and rename are kept; a last line cut short by the crash is all that can
    /// be missing, and <see cref="Read"/> skips it.
    /// </summary>
    public void RecoverPartialFiles()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (var partial in System.IO.Directory.EnumerateFiles(Directory, "*" + PartialExtension))
        {
            File.Move(partial, Path.ChangeExtension(partial, Extension));
        }
    }

    /// <summary>The entries of one spool file; a final line without its newline (a torn write) is skipped.</summary>
    /// <exception cref="JsonException">A complete line is not a ledger entry: the file needs a person (<see cref="Reject"/>).</exception>
    public IReadOnlyList<LedgerEntry> Read(string file)
    {
        var text = File.ReadAllText(file, Encoding.UTF8);
        var lines = text.Split('\n');
        var entries = new List<LedgerEntry>(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            var torn = i == lines.Length - 1;
            try
            {
                entries.Add(JsonSerializer.Deserialize<LedgerEntry>(lines[i], Json) ?? throw new JsonException("null entry"));
            }
            catch (JsonException) when (torn)
            {
                break;
            }
        }

        return entries;
    }

    public static void Delete(string file) => File.Delete(file);

    /// <summary>Sets a file the database refuses aside (<c>*.rejected</c>), kept for a person to inspect; never replayed again.</summary>
    public static string Reject(string file)
    {
        var rejected = Path.ChangeExtension(file, RejectedExtension);
        File.Move(file, rejected, overwrite: true);
        return rejected;
    }
}
