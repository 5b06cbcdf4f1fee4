using System.Text;

namespace SecureGateway.Verification.ZipRules;

/// <summary>Go's path.Clean, for the zip rule that every name must already be clean.</summary>
internal static class SlashPath
{
    /// <summary>
    /// The shortest equivalent slash path: repeated slashes collapsed, "." elements dropped, each ".." removed
    /// with the element before it (kept at the start of a relative path, dropped after a leading slash),
    /// no trailing slash; "." for an empty result.
    /// </summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        bool rooted = path[0] == '/';
        var output = new StringBuilder(path.Length);
        if (rooted)
        {
            output.Append('/');
        }
        // output[..floor] cannot be backtracked over: the root, or leading ".." elements.
        int floor = output.Length;
        int r = rooted ? 1 : 0;
        while (r < path.Length)
        {
            int end = path.IndexOf('/', r);
            if (end < 0)
            {
                end = path.Length;
            }
            ReadOnlySpan<char> element = path.AsSpan(r, end - r);
            r = end + 1;
            if (element.IsEmpty || element is ".")
            {
                continue;
            }
            if (element is "..")
            {
                if (output.Length > floor)
                {
                    int cut = output.Length - 1;
                    while (cut > floor && output[cut] != '/')
                    {
                        cut--;
                    }
                    output.Length = cut;
                }
                else if (!rooted)
                {
                    output.Append(output.Length > 0 ? "/.." : "..");
                    floor = output.Length;
                }
                continue;
            }
            if (output.Length > (rooted ? 1 : 0))
            {
                output.Append('/');
            }
            output.Append(element);
        }
        return output.Length == 0 ? "." : output.ToString();
    }
}
