namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// The checksum database to verify against, read from a GOSUMDB value the way the go command reads it
/// (cmd/go/internal/modfetch dbDial): "off", a known database name, a verifier key, or a verifier key and a URL.
/// </summary>
/// <param name="Name">The database name (the verifier key's name, e.g. "sum.golang.org"); "off" when disabled.</param>
/// <param name="Verifier">The database's public key; null when disabled.</param>
/// <param name="Url">Where to reach the database directly; null when disabled.</param>
/// <param name="Disabled">GOSUMDB=off: modules are not checked against any database.</param>
public sealed record SumDbSettings(string Name, NoteVerifier? Verifier, Uri? Url, bool Disabled)
{
    /// <summary>sum.golang.org's verifier key, built into the go command (cmd/go/internal/modfetch/key.go).</summary>
    public const string GoSumDbKey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

    private const string GoSumDbName = "sum.golang.org";

    /// <summary>The go command's alias for sum.golang.org, reachable from mainland China.</summary>
    private const string ChinaAlias = "sum.golang.google.cn";

    /// <summary>
    /// Reads a GOSUMDB value:
    /// null or "" → sum.golang.org with <see cref="GoSumDbKey"/> at https://sum.golang.org;
    /// "off" → <see cref="Disabled"/>;
    /// "sum.golang.org" → the built-in key; "sum.golang.google.cn" → the built-in key at https://sum.golang.google.cn;
    /// "name+hash+key" → that key at https://name; "key URL" (key being a verifier key or "sum.golang.org") → that URL.
    /// </summary>
    /// <exception cref="FormatException">With the go command's reason: "missing GOSUMDB", "invalid GOSUMDB: too many
    /// fields", "invalid GOSUMDB: malformed verifier id" (or another key error), "invalid sumdb name (must be
    /// host[/path]): …", "invalid GOSUMDB URL: …".</exception>
    public static SumDbSettings Parse(string? gosumdb)
    {
        // The go command defaults an unset or empty GOSUMDB to sum.golang.org.
        if (string.IsNullOrEmpty(gosumdb))
        {
            gosumdb = GoSumDbName;
        }
        if (gosumdb == "off")
        {
            return new SumDbSettings("off", null, null, Disabled: true);
        }
        if (gosumdb == ChinaAlias)
        {
            gosumdb = $"{GoSumDbName} https://{ChinaAlias}";
        }

        // strings.Fields: split on Unicode white space.
        string[] fields = gosumdb.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0)
        {
            throw new FormatException("missing GOSUMDB");
        }
        if (fields.Length > 2)
        {
            throw new FormatException("invalid GOSUMDB: too many fields");
        }
        string key = fields[0] == GoSumDbName ? GoSumDbKey : fields[0];
        if (!NoteVerifier.TryParse(key, out NoteVerifier? verifier, out string error))
        {
            throw new FormatException($"invalid GOSUMDB: {error}");
        }

        string name = verifier.Name;
        if (!IsHostAndPath(name))
        {
            throw new FormatException($"invalid sumdb name (must be host[/path]): {name}");
        }

        Uri url;
        if (fields.Length == 2)
        {
            // An explicit URL bypasses both the default https://name and any proxy.
            if (!Uri.TryCreate(fields[1], UriKind.Absolute, out Uri? explicitUrl))
            {
                throw new FormatException($"invalid GOSUMDB URL: {fields[1]}");
            }
            url = explicitUrl;
        }
        else
        {
            url = new Uri("https://" + name);
        }
        return new SumDbSettings(name, verifier, url, Disabled: false);
    }

    /// <summary>
    /// The go command's "no funny business in the database name": https://name must parse as just a host and a
    /// path, with no user info, port garbage, query, fragment, escapes (a RawPath) or trailing '/'.
    /// </summary>
    private static bool IsHostAndPath(string name)
    {
        if (name.EndsWith('/'))
        {
            return false;
        }
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        string host = slash < 0 ? name : name[..slash];
        string path = slash < 0 ? "" : name[slash..];
        if (host.Length == 0 || !host.All(IsHostChar) || !path.All(IsPathChar))
        {
            return false;
        }
        // Go's url.Parse accepts only a numeric (possibly empty) port after the last ':' outside brackets.
        int colon = host.LastIndexOf(':');
        return colon < 0 || host.EndsWith(']') || host[(colon + 1)..].All(char.IsAsciiDigit);
    }

    // Characters Go's url.Parse keeps in a host (sub-delims, ':' and brackets for ports and IPv6; no '@', '%').
    private static bool IsHostChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c >= 0x80 || "-._~!$&'()*,;=:[]".Contains(c, StringComparison.Ordinal);

    // Characters Go leaves unescaped in a path; any other would give the URL a RawPath, which the go command refuses.
    private static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "-._~$&,/:;=@".Contains(c, StringComparison.Ordinal);
}
