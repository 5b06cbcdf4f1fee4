using SecureGateway.Modules;

namespace SecureGateway.Verification.ZipRules;

/// <summary>
/// Go's collisionChecker: a path and each of its parent directories may not equal, under <see cref="GoCaseFold"/>,
/// a different path, the same path as a file and a directory, or the same file twice.
/// </summary>
/// <remarks>
/// Go keys a map by whole folded paths and walks every parent again for every entry, which costs time quadratic in
/// the depth of a path. Here every path prefix gets an id from its parent's id and its element, exact and folded,
/// and a walk stops at a directory whose parents were already checked, so hostile deep names cost linear time.
/// </remarks>
internal sealed class FileNameCollisions
{
    private const int Root = 0;

    private readonly Dictionary<(int Parent, string Element), int> exactIds = [];
    private readonly Dictionary<(int Parent, string Element), int> foldedIds = [];
    private readonly Dictionary<int, Seen> seenByFoldedId = [];

    /// <summary>Paths recorded so far, files and directories.</summary>
    public int Count => seenByFoldedId.Count;

    // Source[..length] is the path as first seen, kept as a reference to that entry's name.
    private sealed class Seen(int exactId, bool isDirectory, string source, int length)
    {
        public int ExactId => exactId;

        public bool IsDirectory => isDirectory;

        public string Path => source[..length];

        // Its parents were walked without a conflict: walking them again cannot find one.
        public bool ParentsChecked { get; set; }
    }

    /// <summary>Records a clean relative path; returns Go's error for the first conflict from the path upwards.</summary>
    public string? Check(string path, bool isDirectory)
    {
        string[] elements = path.Split('/');
        var exact = new int[elements.Length];
        var folded = new int[elements.Length];
        var ends = new int[elements.Length];
        int exactId = Root, foldedId = Root, end = -1;
        for (int i = 0; i < elements.Length; i++)
        {
            exactId = Intern(exactIds, exactId, elements[i]);
            foldedId = Intern(foldedIds, foldedId, GoCaseFold.Fold(elements[i]));
            end += elements[i].Length + 1;
            (exact[i], folded[i], ends[i]) = (exactId, foldedId, end);
        }

        var walked = new List<Seen>();
        for (int i = elements.Length - 1; i >= 0; i--)
        {
            bool directory = isDirectory || i < elements.Length - 1;
            if (!seenByFoldedId.TryGetValue(folded[i], out Seen? other))
            {
                other = new Seen(exact[i], directory, path, ends[i]);
                seenByFoldedId[folded[i]] = other;
                walked.Add(other);
                continue;
            }
            if (other.ExactId != exact[i])
            {
                return $"case-insensitive file name collision: {GoQuote.Quote(other.Path)} and {GoQuote.Quote(path[..ends[i]])}";
            }
            if (other.IsDirectory != directory)
            {
                return $"entry {GoQuote.Quote(path[..ends[i]])} is both a file and a directory";
            }
            if (!directory)
            {
                return $"multiple entries for file {GoQuote.Quote(path)}";
            }
            // The same directory again is fine; Go still checks its parents, and so do we unless that was done.
            if (other.ParentsChecked)
            {
                break;
            }
            walked.Add(other);
        }
        walked.ForEach(seen => seen.ParentsChecked = true);
        return null;
    }

    private static int Intern(Dictionary<(int Parent, string Element), int> ids, int parent, string element)
    {
        if (!ids.TryGetValue((parent, element), out int id))
        {
            id = ids.Count + 1;
            ids[(parent, element)] = id;
        }
        return id;
    }
}
