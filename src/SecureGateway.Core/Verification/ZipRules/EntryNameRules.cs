using SecureGateway.Modules;

namespace SecureGateway.Verification.ZipRules;

/// <summary>
/// The name rules of Go's zip.CheckZip for the entries of one module zip, in Go's order; the first broken rule
/// is the entry's reason.
/// </summary>
internal sealed class EntryNameRules(string prefix)
{
    private readonly FileNameCollisions collisions = new();

    /// <summary>Distinct file and directory paths seen so far.</summary>
    public int PathCount => collisions.Count;

    /// <param name="entryName">The name as stored, decoded from UTF-8.</param>
    /// <param name="name">The name after the <c>path@version/</c> prefix without a directory's trailing slash;
    /// "" for the module root directory entry, which Go skips.</param>
    /// <param name="isDirectory">Whether the entry name ends in a slash.</param>
    /// <returns>null when the name is acceptable, else the reason.</returns>
    public string? Check(string entryName, out string name, out bool isDirectory)
    {
        name = "";
        isDirectory = false;
        if (!entryName.StartsWith(prefix, StringComparison.Ordinal))
        {
            return $"path does not have prefix {GoQuote.Quote(prefix)}";
        }
        name = entryName[prefix.Length..];
        if (name.Length == 0)
        {
            return null;
        }
        isDirectory = name.EndsWith('/');
        if (isDirectory)
        {
            name = name[..^1];
        }
        if (SlashPath.Clean(name) != name)
        {
            return "file path is not clean";
        }
        // The decoder turned bytes that are not UTF-8 into U+FFFD. A genuine U+FFFD is no letter, so
        // CheckFilePath would refuse it anyway: nothing valid is lost by calling both invalid UTF-8.
        if (name.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return $"malformed file path {GoQuote.Quote(name)}: invalid UTF-8";
        }
        if (ModulePath.CheckFilePath(name) is { } pathError)
        {
            return pathError;
        }
        if (collisions.Check(name, isDirectory) is { } collision)
        {
            return collision;
        }
        if (isDirectory)
        {
            return null;
        }
        string baseName = name[(name.LastIndexOf('/') + 1)..];
        if (GoCaseFold.Fold(baseName) == "go.mod")
        {
            if (baseName != name)
            {
                return "go.mod file not in module root directory";
            }
            if (name != "go.mod")
            {
                return "go.mod files must have lowercase names";
            }
        }
        return null;
    }
}
