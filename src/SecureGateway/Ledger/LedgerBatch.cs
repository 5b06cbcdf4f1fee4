namespace SecureGateway.Ledger;

/// <summary>
/// The entries of one write. Identical pulls — same module, version, kind, client and user agent — are folded into one
/// row with their count and first and last time: a CI fleet behind one address pulling the same modules at once costs
/// the database one row per artefact per batch, not one per pull, and the ledger still accounts for every pull.
/// </summary>
internal sealed class LedgerBatch
{
    private readonly Dictionary<Key, int> positions = [];
    private readonly List<LedgerEntry> rows = [];

    /// <summary>Rows, not pulls: what a COPY of this batch writes.</summary>
    public int Count => rows.Count;

    public IReadOnlyList<LedgerEntry> Rows => rows;

    public void Add(LedgerEntry entry)
    {
        var key = new Key(entry.Module, entry.Version, entry.Kind, entry.Client, entry.UserAgent);
        if (!positions.TryGetValue(key, out var position))
        {
            positions.Add(key, rows.Count);
            rows.Add(entry);
            return;
        }

        var row = rows[position];
        rows[position] = row with
        {
            Time = entry.Time < row.Time ? entry.Time : row.Time,
            LastTime = entry.LastTime > row.LastTime ? entry.LastTime : row.LastTime,
            Count = row.Count + entry.Count,
        };
    }

    public void Clear()
    {
        positions.Clear();
        rows.Clear();
    }

    private readonly record struct Key(string Module, string Version, string Kind, string Client, string? UserAgent);
}
