using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using SecureGateway.Observability;
using Yarp.ReverseProxy;

namespace SecureGateway.Upstream;

/// <summary>
/// An HTTP(S) GOPROXY or checksum database reached through a YARP cluster: YARP owns the destination and the HttpClient
/// (connection pooling, TLS and HTTP-version settings, config reloads); this class only asks for one file.
/// </summary>
internal sealed class HttpUpstream(
    string clusterId, string baseUrl, IProxyStateLookup proxyState, TimeSpan idleTimeout, TimeSpan deadline, RedirectPolicy redirects, TimeProvider time)
    : IUpstream
{
    private const int MaxRedirects = 5;
    private const int MaxReasonBytes = 512;

    private readonly UpstreamMetrics metrics = new(baseUrl);

    public string BaseUrl => baseUrl;

    public async Task<UpstreamFetch> FetchAsync(string relativePath, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var fetch = await FetchUnmeasuredAsync(relativePath, destination, maxBytes, cancellationToken);
        metrics.Fetched(fetch.Status, Stopwatch.GetElapsedTime(started));
        return fetch;
    }

    private async Task<UpstreamFetch> FetchUnmeasuredAsync(string relativePath, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        if (Resolve(relativePath) is not var (client, origin))
        {
            return new(UpstreamStatus.Failed, $"upstream {baseUrl} is not available");
        }

        // The idle timeout restarts on every read; the deadline bounds the whole fetch, so a one-byte-a-minute drip ends too.
        // Both run on the injected clock (a linked source cannot), and either ends the fetch through `ended`.
        using var overall = new CancellationTokenSource(deadline, time);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token, idle.Token);
        try
        {
            var (response, refusal) = await SendAsync(client, origin, range: null, idle, ended.Token);
            if (refusal is not null)
            {
                return new(UpstreamStatus.Failed, $"{relativePath}: upstream {baseUrl}: {refusal}");
            }

            using (response)
            {
                return response!.StatusCode switch
                {
                    HttpStatusCode.OK => await CopyBodyAsync(response, relativePath, destination, maxBytes, idle, ended.Token),
                    HttpStatusCode.NotFound or HttpStatusCode.Gone => new(UpstreamStatus.NotFound,
                        $"{relativePath}: upstream {baseUrl} answered {(int)response.StatusCode}{await ReasonAsync(response, ended.Token)}"),
                    _ => new(UpstreamStatus.Failed,
                        $"{relativePath}: upstream {baseUrl} answered {(int)response.StatusCode}{await ReasonAsync(response, ended.Token)}"),
                };
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(UpstreamStatus.TimedOut, overall.IsCancellationRequested
                ? $"{relativePath}: upstream {baseUrl} took longer than {deadline} (Gateway:UpstreamDeadline)"
                : $"{relativePath}: upstream {baseUrl} sent nothing for {idleTimeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return new(UpstreamStatus.Failed, $"{relativePath}: upstream {baseUrl} failed: {e.Message}");
        }
    }

    public async Task<UpstreamTail?> FetchTailAsync(string relativePath, int maxBytes, CancellationToken cancellationToken)
    {
        if (Resolve(relativePath) is not var (client, origin))
        {
            return null;
        }

        using var overall = new CancellationTokenSource(deadline, time);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overall.Token, idle.Token);
        try
        {
            var (response, _) = await SendAsync(client, origin, new RangeHeaderValue(null, maxBytes), idle, ended.Token);
            using (response)
            {
                // Only an exact answer to the suffix range is used: "bytes FROM-(LENGTH-1)/LENGTH", unencoded.
                if (response is not { StatusCode: HttpStatusCode.PartialContent }
                    || response.Content.Headers.ContentRange is not { Unit: "bytes", From: { } from, To: { } to, Length: { } length }
                    || to != length - 1 || from > to || to - from + 1 > maxBytes
                    || EncodingsOf(response) is [_, ..])
                {
                    return null;
                }

                var expected = (int)(to - from + 1);
                await using var body = await response.Content.ReadAsStreamAsync(ended.Token);
                using var tail = new MemoryStream(expected);
                var copied = await LimitedCopy.CopyAsync(body, tail, expected, idle, idleTimeout, ended.Token);
                return copied == expected ? new(length, tail.ToArray()) : null;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return null;
        }
    }

    /// <summary>The client of the upstream's YARP cluster and the URL of <paramref name="relativePath"/> there, or null when the cluster is gone.</summary>
    private (HttpMessageInvoker Client, Uri Uri)? Resolve(string relativePath)
    {
        if (!proxyState.TryGetCluster(clusterId, out var cluster) || cluster.Model.HttpClient is not { } client)
        {
            return null;
        }

        var destinations = cluster.DestinationsState.AvailableDestinations.Count > 0
            ? cluster.DestinationsState.AvailableDestinations
            : cluster.DestinationsState.AllDestinations;
        return (client, new Uri(destinations[0].Model.Config.Address.TrimEnd('/') + "/" + relativePath));
    }

    /// <summary>
    /// GET <paramref name="origin"/>, following redirects the <see cref="RedirectPolicy"/> allows; the response, or why a
    /// redirect was refused.
    /// </summary>
    private async Task<(HttpResponseMessage? Response, string? Refusal)> SendAsync(
        HttpMessageInvoker client, Uri origin, RangeHeaderValue? range, CancellationTokenSource idle, CancellationToken ended)
    {
        var uri = origin;
        for (var hops = 0; ; hops++)
        {
            idle.CancelAfter(idleTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.UserAgent.ParseAdd("SecureGateway/1.0");
            request.Headers.Range = range;
            var response = await client.SendAsync(request, ended);

            // YARP's client does not follow redirects (right for forwarding); a GOPROXY may send zips to a CDN.
            if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location && hops < MaxRedirects)
            {
                response.Dispose();
                var target = new Uri(uri, location);
                if (redirects.Refusal(origin, uri, target) is { } refusal)
                {
                    return (null, refusal);
                }

                uri = target;
                continue;
            }

            return (response, null);
        }
    }

    private async Task<UpstreamFetch> CopyBodyAsync(
        HttpResponseMessage response, string relativePath, Stream destination, long maxBytes, CancellationTokenSource idle, CancellationToken ended)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return new(UpstreamStatus.TooLarge, $"{relativePath} is {response.Content.Headers.ContentLength} bytes; the limit is {maxBytes} bytes");
        }

        // No encoding is asked for and none is decoded: an encoded body is not the file, whatever it decodes to.
        if (EncodingsOf(response) is [_, ..] encodings)
        {
            return new(UpstreamStatus.Failed, $"{relativePath}: upstream {baseUrl} sent Content-Encoding {string.Join(", ", encodings)}, which the gateway did not ask for");
        }

        await using var body = await response.Content.ReadAsStreamAsync(ended);
        var copied = await LimitedCopy.CopyAsync(body, destination, maxBytes, idle, idleTimeout, ended);
        if (copied < 0)
        {
            return new(UpstreamStatus.TooLarge, $"{relativePath} is larger than the limit of {maxBytes} bytes");
        }

        if (response.Content.Headers.ContentLength is { } declared && declared != copied)
        {
            return new(UpstreamStatus.Failed, $"{relativePath}: upstream {baseUrl} sent {copied} of {declared} bytes");
        }

        return new(UpstreamStatus.Ok, relativePath, copied);
    }

    /// <summary>The first line of a short text body, so the go user sees why upstream refused.</summary>
    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != "text/plain")
        {
            return "";
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxReasonBytes];
        var length = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var line = Encoding.UTF8.GetString(buffer, 0, length).Split('\n', 2)[0].Trim();
        return line.Length == 0 || line.Any(char.IsControl) ? "" : $": {line}";
    }

    /// <summary>The content encodings of <paramref name="response"/> other than identity.</summary>
    private static List<string> EncodingsOf(HttpResponseMessage response) =>
        [.. response.Content.Headers.ContentEncoding.Where(e => !e.Equals("identity", StringComparison.OrdinalIgnoreCase))];

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;
}
