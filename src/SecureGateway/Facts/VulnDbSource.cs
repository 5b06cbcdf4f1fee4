using System.Net;
using System.Text.RegularExpressions;

namespace SecureGateway.Facts;

/// <summary>
/// Reads endpoints of a database in the Go vulnerability database layout (https://go.dev/security/vuln/database#api):
/// <c>index/modules.json</c> and <c>ID/{id}.json</c>, from an HTTP(S) server or a local directory. Endpoints are
/// named without extension (<c>index/modules</c>); <c>.json</c> is added, as golang.org/x/vuln's client does.
/// </summary>
internal abstract partial class VulnDbSource
{
    /// <summary>The source as configured, for messages (e.g. <c>https://vuln.go.dev</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The source <paramref name="configured"/> names; null when syncing is off.</summary>
    /// <exception cref="InvalidOperationException">The value is neither off, an http(s) or file URL, nor a path.</exception>
    public static VulnDbSource? Create(string? configured, Func<HttpClient> httpClient)
    {
        if (FactSourceSettings.IsOff(configured))
        {
            return null;
        }

        var value = configured!.Trim();
        if (value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return new HttpSource(FactSourceSettings.HttpUrl(value, $"{VulnDbOptions.Section}:Source")!, httpClient);
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.IsFile)
        {
            return new DirectorySource(uri.LocalPath);
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{VulnDbOptions.Section}:Source {value}: use an https:// or file:// URL, a directory, or off");
        }

        return new DirectorySource(Path.GetFullPath(value));
    }

    /// <summary>Whether <paramref name="id"/> can name an entry file (letters, digits, '.', '_' and '-'; no path tricks).</summary>
    public static bool IsSafeId(string id) => SafeId().IsMatch(id);

    /// <summary>The bytes of <c>{endpoint}.json</c>.</summary>
    /// <exception cref="FactSourceException">Missing, unreadable, or larger than <paramref name="maxBytes"/>.</exception>
    public abstract Task<byte[]> ReadAsync(string endpoint, int maxBytes, CancellationToken cancellationToken);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex SafeId();

    private sealed class HttpSource(Uri baseUri, Func<HttpClient> httpClient) : VulnDbSource
    {
        public override string Name => baseUri.AbsoluteUri.TrimEnd('/');

        public override async Task<byte[]> ReadAsync(string endpoint, int maxBytes, CancellationToken cancellationToken)
        {
            var uri = new Uri(baseUri, endpoint + ".json");
            try
            {
                using var response = await httpClient().GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new FactSourceException($"{uri}: answered {(int)response.StatusCode} {response.ReasonPhrase}");
                }

                if (response.Content.Headers.ContentLength > maxBytes)
                {
                    throw new FactSourceException($"{uri}: {response.Content.Headers.ContentLength} bytes, more than the {maxBytes} allowed");
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                return await ReadLimitedAsync(body, maxBytes, uri.ToString(), cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or IOException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new FactSourceException($"{uri}: {(e is OperationCanceledException ? "timed out" : e.Message)}", e);
            }
        }
    }

    private sealed class DirectorySource(string root) : VulnDbSource
    {
        public override string Name => root;

        public override async Task<byte[]> ReadAsync(string endpoint, int maxBytes, CancellationToken cancellationToken)
        {
            var path = Path.Combine(root, endpoint.Replace('/', Path.DirectorySeparatorChar) + ".json");
            try
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
                return await ReadLimitedAsync(file, maxBytes, path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new FactSourceException($"{path}: {e.Message}", e);
            }
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream stream, int maxBytes, string what, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new FactSourceException($"{what}: more than the {maxBytes} bytes allowed");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
