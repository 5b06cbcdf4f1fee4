using SecureGateway.Modules;

namespace SecureGateway.Verification.ZipRules;

/// <summary>
/// Go's collisionChecker: a path and each of its parent directories may not equal, under <see cref="GoCaseFold"/>,
/// a different path, the same path as a file and a directory, or the same file twice.
/// </summary>
/// <remarks>
/// Go keys a map by whole folded paths, which costs time quadratic in the depth of a path. Here every path prefix
/// gets an id from its parent's id and its element, exact and folded, so a hostile zip of deep names stays linear.
/// </remarks>
internal sealed class FileNameCollisions
{
    private const int Root = 0;

    private readonly Dictionary<(int Parent, string Element), int> exactIds = [];
    private readonly Dictionary<(int Parent, string Element), int> foldedIds = [];
    private readonly Dictionary<int, Seen> seenByFoldedId = [];

    private sealed record Seen(int ExactId, bool IsDirectory, string Source, int Length)
    {
        public string Path => Source[..Length];
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

        for (int i = elements.Length - 1; i >= 0; i--)
        {
            bool directory = isDirectory || i < elements.Length - 1;
            if (!seenByFoldedId.TryGetValue(folded[i], out Seen? other))
            {
                seenByFoldedId[folded[i]] = new Seen(exact[i], directory, path, ends[i]);
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
            // The same directory again is fine; Go still checks its parents, and so do we.
        }
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
