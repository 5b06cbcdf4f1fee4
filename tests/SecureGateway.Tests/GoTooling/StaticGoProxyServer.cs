using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.GoTooling;

/// <summary>
/// A tiny real HTTP/1.1 server on 127.0.0.1 (free port) that serves a GOPROXY-layout directory the
/// way <c>python -m http.server</c> would: 200 with the file's bytes, 404 <c>text/plain</c>
/// <c>not found: &lt;path&gt;</c> otherwise. It records every request, can be told to misbehave for a
/// path (status, truncated, reset or dripped body, wrong Content-Length, extra headers, no answer, held answer), and after <see cref="DisposeAsync"/> it
/// refuses connections, so a test can show the gateway serving from its own cache.
/// </summary>
/// <remarks>
/// Paths are percent-decoded (the go command sends <c>!</c> as <c>%21</c> when the proxy URL has a path)
/// and the query string is dropped; the recorded path is relative to <see cref="Url"/>, e.g.
/// <c>/example.com/!upper.git/@v/v0.1.0.zip</c> (see <see cref="GoProxyLayout.RequestPath"/>).
/// GET and HEAD are served; keep-alive is supported.
/// </remarks>
public sealed class StaticGoProxyServer : IAsyncDisposable
{
    private readonly string rootDirectory;
    private readonly string pathPrefix;
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> requestPaths = new();
    private readonly ConcurrentQueue<string> rawTargets = new();
    private readonly ConcurrentDictionary<string, int> requestCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> rangeCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> rangeAnswered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResponseOverride> overrides = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Task> connections = new();
    private readonly Lock signalLock = new();
    private readonly Task acceptLoop;
    private TaskCompletionSource requestSeen = NewSignal();
    private long connectionCount;
    private int disposed;

    private StaticGoProxyServer(string rootDirectory, string pathPrefix)
    {
        this.rootDirectory = Path.GetFullPath(rootDirectory);
        this.pathPrefix = pathPrefix;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port the server listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The GOPROXY URL, <c>http://127.0.0.1:PORT</c> plus the path prefix if any.</summary>
    public string Url => $"http://127.0.0.1:{Port}{pathPrefix}";

    /// <summary>Every decoded request path (relative to <see cref="Url"/>), in arrival order.</summary>
    public IReadOnlyList<string> RequestPaths => [.. requestPaths];

    /// <summary>Every request target exactly as sent (still percent-encoded, with query), in arrival order.</summary>
    public IReadOnlyList<string> RawRequestTargets => [.. rawTargets];

    /// <summary>How many requests arrived in total.</summary>
    public int TotalRequestCount => requestPaths.Count;

    /// <summary>Starts serving <paramref name="rootDirectory"/>.</summary>
    /// <param name="rootDirectory">A GOPROXY-layout directory (e.g. <see cref="GoModuleUniverse.ProxyDirectory"/>).</param>
    /// <param name="pathPrefix">Optional URL path the proxy lives under, e.g. <c>/proxy</c>; requests outside it get 404.</param>
    public static StaticGoProxyServer Start(string rootDirectory, string pathPrefix = "")
    {
        var prefix = pathPrefix.Trim('/');
        return new StaticGoProxyServer(rootDirectory, prefix.Length == 0 ? "" : "/" + prefix);
    }

    /// <summary>How many requests arrived for <paramref name="path"/> (decoded, relative to <see cref="Url"/>).</summary>
    public int RequestCount(string path) => requestCounts.GetValueOrDefault(path);

    /// <summary>Completes once <paramref name="path"/> has been requested at least <paramref name="count"/> times; throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 30 s).</summary>
    public async Task WaitForRequestCountAsync(string path, int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            Task signal;
            lock (signalLock)
            {
                signal = requestSeen.Task;
            }

            if (RequestCount(path) >= count)
            {
                return;
            }

            try
            {
                await signal.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"{path} was requested {RequestCount(path)} times, expected {count}; requests: {string.Join(", ", RequestPaths)}");
            }
        }
    }

    /// <summary>Answers <paramref name="path"/> with <paramref name="statusCode"/> and a text/plain body (default: a short note).</summary>
    public void RespondWithStatus(string path, int statusCode, string? textBody = null) =>
        Override(path, o => o with { StatusCode = statusCode, TextBody = textBody });

    /// <summary>Answers <paramref name="path"/> with its normal status and a Content-Length for the whole body, sends only half of the bytes and closes the connection.</summary>
    public void RespondTruncated(string path) => Override(path, o => o with { Truncate = true });

    /// <summary>Answers <paramref name="path"/> with its normal body but a Content-Length of <paramref name="length"/> (more or fewer bytes than are sent), then closes the connection.</summary>
    public void DeclareLength(string path, long length) => Override(path, o => o with { DeclaredLength = length });

    /// <summary>Adds raw header lines (e.g. <c>Content-Encoding: gzip</c>) to the answers for <paramref name="path"/>.</summary>
    public void AddHeaders(string path, params string[] headerLines) => Override(path, o => o with { ExtraHeaders = [.. o.ExtraHeaders, .. headerLines] });

    /// <summary>Sends the body of <paramref name="path"/> one byte per <paramref name="interval"/>: never silent for long, never done.</summary>
    public void Drip(string path, TimeSpan interval) => Override(path, o => o with { DripInterval = interval });

    /// <summary>Sends the head and half of the body of <paramref name="path"/>, then resets the connection (TCP RST).</summary>
    public void ResetMidBody(string path) => Override(path, o => o with { ResetMidBody = true });

    /// <summary>Closes the connection without answering requests for <paramref name="path"/> (an empty reply).</summary>
    public void CloseWithoutAnswer(string path) => Override(path, o => o with { CloseWithoutAnswer = true });

    /// <summary>Holds every answer for <paramref name="path"/> until <paramref name="release"/> completes (the request is recorded on arrival).</summary>
    public void HoldUntil(string path, Task release) => Override(path, o => o with { Release = release });

    /// <summary>
    /// Answers suffix range requests (<c>Range: bytes=-N</c>) for <paramref name="path"/> with 206 and the last N bytes of
    /// the file, or of <paramref name="claimed"/> when given (a range answer that lies about the file). Without this the
    /// server ignores Range, as <c>python -m http.server</c> does. Range answers are never misframed by other overrides.
    /// </summary>
    public void AnswerRanges(string path, byte[]? claimed = null) => Override(path, o => o with { AnswerRanges = true, ClaimedFile = claimed });

    /// <summary>
    /// Sends the first <paramref name="bytes"/> of the body of <paramref name="path"/>, then the rest once <paramref name="release"/>
    /// completes (range requests are not held).
    /// </summary>
    public void HoldBodyAfter(string path, long bytes, Task release) => Override(path, o => o with { HoldAfter = bytes, Release = null, BodyRelease = release });

    /// <summary>Completes once a range request for <paramref name="path"/> has been answered: a 206 in full, or the head of the whole file where ranges are not answered.</summary>
    public Task RangeAnswered(string path) => rangeAnswered.GetOrAdd(path, _ => NewSignal()).Task;

    /// <summary>How many range requests arrived for <paramref name="path"/>.</summary>
    public int RangeRequestCount(string path) => rangeCounts.GetValueOrDefault(path);

    /// <summary>Serves <paramref name="path"/> normally again (and forgets that a range request for it was answered).</summary>
    public void ClearOverride(string path)
    {
        overrides.TryRemove(path, out _);
        rangeAnswered.TryRemove(path, out _);
    }

    /// <summary>Stops listening, drops open connections (held requests are abandoned) and waits for the handlers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        await acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(connections.Values).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        listener.Dispose();
        stopping.Dispose();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Override(string path, Func<ResponseOverride, ResponseOverride> change) =>
        overrides.AddOrUpdate(path, _ => change(new ResponseOverride()), (_, existing) => change(existing));

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            // Headers and body go out as separate writes: with Nagle's algorithm on, each answer would wait out the
            // client's delayed ACK (~40 ms), as no real web server makes it wait.
            client.NoDelay = true;
            var id = Interlocked.Increment(ref connectionCount);
            var connection = Task.Run(() => ServeConnectionAsync(client));
            connections[id] = connection;
            _ = connection.ContinueWith(_ => connections.TryRemove(id, out Task? _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeConnectionAsync(TcpClient client)
    {
        using (client)
        using (stopping.Token.Register(client.Dispose))
        {
            try
            {
                var stream = client.GetStream();
                var reader = new RequestReader(stream);
                while (await reader.ReadHeadAsync(stopping.Token).ConfigureAwait(false) is { } request)
                {
                    await reader.SkipBodyAsync(request.ContentLength, stopping.Token).ConfigureAwait(false);
                    if (!await RespondAsync(client, stream, request, stopping.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidDataException)
            {
                // The client went away, the request was malformed, or the server is stopping.
            }
        }
    }

    /// <returns>True when the connection may serve another request.</returns>
    private async Task<bool> RespondAsync(TcpClient client, NetworkStream stream, RequestHead request, CancellationToken cancellationToken)
    {
        // The path relative to Url, or null when the request is outside the path prefix.
        var decoded = Uri.UnescapeDataString(request.Target.Split('?', 2)[0]);
        var relative = pathPrefix.Length == 0 ? decoded
            : decoded.StartsWith(pathPrefix + "/", StringComparison.Ordinal) ? decoded[pathPrefix.Length..]
            : null;
        var path = relative ?? decoded;
        Record(request.Target, path);

        var behaviour = overrides.GetValueOrDefault(path) ?? new ResponseOverride();
        if (behaviour.Release is { } release)
        {
            await release.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var (status, contentType, body) = behaviour.StatusCode is { } injected
            ? (injected, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(behaviour.TextBody ?? $"status {injected} injected by the test for {path}\n"))
            : request.Method is "GET" or "HEAD"
                ? Lookup(relative, path)
                : (405, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes($"method not allowed: {request.Method}\n"));

        if (behaviour.CloseWithoutAnswer)
        {
            return false;
        }

        if (request.Range is { } range)
        {
            rangeCounts.AddOrUpdate(path, 1, (_, count) => count + 1);
            if (behaviour.AnswerRanges && status == 200 && SuffixLength(range) is { } suffix)
            {
                var keepOpen = await RespondWithSuffixAsync(stream, request, behaviour.ClaimedFile ?? body, suffix, contentType, cancellationToken).ConfigureAwait(false);
                SignalRangeAnswered(path);
                return keepOpen;
            }
        }

        var misframed = behaviour.Truncate || behaviour.DeclaredLength is not null || behaviour.ResetMidBody;
        var keepAlive = request.KeepAlive && !misframed;
        var head = $"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\nContent-Type: {contentType}\r\nContent-Length: {behaviour.DeclaredLength ?? body.Length}\r\n"
            + string.Concat(behaviour.ExtraHeaders.Select(line => line + "\r\n"))
            + $"Connection: {(keepAlive ? "keep-alive" : "close")}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken).ConfigureAwait(false);
        if (request.Range is not null)
        {
            // Ranges ignored: the whole file's status and head are the answer (a client may stop reading there).
            SignalRangeAnswered(path);
        }

        if (request.Method != "HEAD")
        {
            var sent = behaviour.Truncate || behaviour.ResetMidBody ? body.AsMemory(0, body.Length / 2) : body;
            if (behaviour.DripInterval > TimeSpan.Zero)
            {
                for (var i = 0; i < sent.Length; i++)
                {
                    await stream.WriteAsync(sent.Slice(i, 1), cancellationToken).ConfigureAwait(false);
                    await Task.Delay(behaviour.DripInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (behaviour.BodyRelease is { } bodyRelease && behaviour.HoldAfter < sent.Length && request.Range is null)
            {
                await stream.WriteAsync(sent[..(int)behaviour.HoldAfter], cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                await bodyRelease.WaitAsync(cancellationToken).ConfigureAwait(false);
                await stream.WriteAsync(sent[(int)behaviour.HoldAfter..], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await stream.WriteAsync(sent, cancellationToken).ConfigureAwait(false);
            }
        }

        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (behaviour.ResetMidBody)
        {
            // Linger with a zero timeout makes closing send RST instead of FIN: the peer sees "connection reset".
            client.Client.LingerState = new LingerOption(true, 0);
            client.Client.Close();
        }

        return keepAlive;
    }

    private void SignalRangeAnswered(string path) => rangeAnswered.GetOrAdd(path, _ => NewSignal()).TrySetResult();

    /// <summary>N of <c>bytes=-N</c>; null for any other range.</summary>
    private static long? SuffixLength(string range) =>
        range.StartsWith("bytes=-", StringComparison.Ordinal) && long.TryParse(range.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0
            ? length
            : null;

    private static async Task<bool> RespondWithSuffixAsync(
        NetworkStream stream, RequestHead request, byte[] file, long suffix, string contentType, CancellationToken cancellationToken)
    {
        var from = (int)Math.Max(0, file.Length - suffix);
        var head = $"HTTP/1.1 206 Partial Content\r\nContent-Type: {contentType}\r\nContent-Length: {file.Length - from}\r\n"
            + $"Content-Range: bytes {from}-{file.Length - 1}/{file.Length}\r\nConnection: {(request.KeepAlive ? "keep-alive" : "close")}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(file.AsMemory(from), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return request.KeepAlive;
    }

    private (int Status, string ContentType, byte[] Body) Lookup(string? relative, string path)
    {
        var file = relative is null ? null : Path.GetFullPath(Path.Combine(rootDirectory, relative.TrimStart('/')));
        if (file is null || !file.StartsWith(rootDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(file))
        {
            return (404, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes($"not found: {path}\n"));
        }

        var contentType = Path.GetExtension(file) switch
        {
            ".zip" => "application/zip",
            ".info" => "application/json",
            _ => "text/plain; charset=utf-8",
        };
        return (200, contentType, File.ReadAllBytes(file));
    }

    private void Record(string rawTarget, string path)
    {
        rawTargets.Enqueue(rawTarget);
        requestCounts.AddOrUpdate(path, 1, (_, count) => count + 1);
        requestPaths.Enqueue(path);
        lock (signalLock)
        {
            requestSeen.TrySetResult();
            requestSeen = NewSignal();
        }
    }

    private sealed record ResponseOverride
    {
        public int? StatusCode { get; init; }

        public string? TextBody { get; init; }

        public bool Truncate { get; init; }

        public Task? Release { get; init; }

        public long? DeclaredLength { get; init; }

        public IReadOnlyList<string> ExtraHeaders { get; init; } = [];

        public TimeSpan DripInterval { get; init; }

        public bool ResetMidBody { get; init; }

        public bool CloseWithoutAnswer { get; init; }

        public bool AnswerRanges { get; init; }

        public byte[]? ClaimedFile { get; init; }

        public long HoldAfter { get; init; }

        public Task? BodyRelease { get; init; }
    }
}
