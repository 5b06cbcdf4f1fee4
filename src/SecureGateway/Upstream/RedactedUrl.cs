namespace SecureGateway.Upstream;

/// <summary>
/// An upstream or checksum-DB URL as it may be shown (errors for the go user, decisions, logs): credentials in its
/// user-info part are replaced, since everything that names an upstream ends up in front of someone.
/// </summary>
public static class RedactedUrl
{
    public static string Of(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Of(uri) : url.Contains('@', StringComparison.Ordinal) ? "(unparsable URL, not shown)" : url;

    public static string Of(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri.OriginalString : new UriBuilder(uri) { UserName = "***", Password = "" }.Uri.AbsoluteUri;
}
