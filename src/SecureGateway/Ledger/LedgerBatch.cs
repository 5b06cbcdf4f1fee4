namespace SecureGateway.Ledger;

/// <summary>
/// The entries of one write. Identical pulls — same module, version, kind, client and user agent — are folded into one
/// row with their count and first and last time: a CI fleet behind one address pulling the same modules at once costs
/// the database one row per artefact per batch, not one per pull, and the ledger still accounts for every pull.
/// </summary>
internal sealed class LedgerBatch
{
    private readonly Dictionary<Key, Folded> positions = [];
    private readonly List<Folded> rows = [];

    /// <summary>Rows, not pulls: what a COPY of this batch writes.</summary>
    public int Count => rows.Count;

    /// <summary>The rows as entries, built once per write rather than once per pull folded in.</summary>
    public LedgerEntry[] ToRows() => [.. rows.Select(row => row.ToEntry())];

    public void Add(LedgerEntry entry)
    {
        var key = new Key(entry.Module, entry.Version, entry.Kind, entry.Client, entry.UserAgent);
        if (positions.TryGetValue(key, out var row))
        {
            row.Fold(entry);
            return;
        }

        row = new Folded(entry);
        positions.Add(key, row);
        rows.Add(row);
    }

    public void Clear()
    {
        positions.Clear();
        rows.Clear();
    }

    private readonly record struct Key(string Module, string Version, string Kind, string Client, string? UserAgent);

    /// <summary>One row being folded: updated in place, so a pull folded into it allocates nothing.</summary>
    private sealed class Folded(LedgerEntry first)
    {
        private DateTimeOffset time = first.Time;
        private DateTimeOffset lastTime = first.LastTime;
        private int count = first.Count;

        public void Fold(LedgerEntry entry)
        {
            time = entry.Time < time ? entry.Time : time;
            lastTime = entry.LastTime > lastTime ? entry.LastTime : lastTime;
            count += entry.Count;
        }

        public LedgerEntry ToEntry() => first with { Time = time, LastTime = lastTime, Count = count };
    }
}
