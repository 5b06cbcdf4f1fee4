using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SecureGateway.Tests.ChecksumDb;

/// <summary>One request as the handler sees it: the method and the percent-decoded path (query dropped).</summary>
internal sealed record SumDbRequest(string Method, string Path);

/// <summary>One answer: status, Content-Type and the whole body.</summary>
internal sealed record SumDbResponse(int Status, string ContentType, byte[] Body)
{
    public const string Text = "text/plain; charset=UTF-8";

    /// <summary>A text answer, as Go's <c>http.Error</c> writes it (the text plus a newline).</summary>
    public static SumDbResponse Error(int status, string message) => new(status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(message + "\n"));
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (free port) for <see cref="TestChecksumDatabase"/>: reads request heads
/// (keep-alive, bodies skipped), hands each to the handler and writes its answer with a Content-Length. After
/// <see cref="DisposeAsync"/> it refuses connections.
/// </summary>
internal sealed class SumDbLoopbackServer : IAsyncDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;

    private readonly Func<SumDbRequest, CancellationToken, Task<SumDbResponse>> handler;
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<long, Task> connections = new();
    private readonly Task acceptLoop;
    private long connectionCount;
    private int disposed;

    private SumDbLoopbackServer(Func<SumDbRequest, CancellationToken, Task<SumDbResponse>> handler)
    {
        this.handler = handler;
        listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public static SumDbLoopbackServer Start(Func<SumDbRequest, CancellationToken, Task<SumDbResponse>> handler) => new(handler);

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
                    var path = Uri.UnescapeDataString(request.Target.Split('?', 2)[0]);
                    var response = request.Method is "GET" or "HEAD"
                        ? await handler(new SumDbRequest(request.Method, path), stopping.Token).ConfigureAwait(false)
                        : SumDbResponse.Error(405, $"method not allowed: {request.Method}");
                    var head = $"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\nContent-Type: {response.ContentType}\r\n"
                        + $"Content-Length: {response.Body.Length}\r\nConnection: {(request.KeepAlive ? "keep-alive" : "close")}\r\n\r\n";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stopping.Token).ConfigureAwait(false);
                    if (request.Method != "HEAD")
                    {
                        await stream.WriteAsync(response.Body, stopping.Token).ConfigureAwait(false);
                    }

                    await stream.FlushAsync(stopping.Token).ConfigureAwait(false);
                    if (!request.KeepAlive)
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

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        410 => "Gone",
        500 => "Internal Server Error",
        _ => "Status " + status.ToString(CultureInfo.InvariantCulture),
    };

    private sealed record RequestHead(string Method, string Target, bool KeepAlive, long ContentLength);

    /// <summary>Reads request heads from a connection, keeping bytes that belong to the next request.</summary>
    private sealed class RequestReader(NetworkStream stream)
    {
        private byte[] buffer = new byte[8192];
        private int start;
        private int end;

        /// <returns>The next request head, or null when the client closed the connection between requests.</returns>
        public async Task<RequestHead?> ReadHeadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var headEnd = buffer.AsSpan(start, end - start).IndexOf("\r\n\r\n"u8);
                if (headEnd >= 0)
                {
                    var text = Encoding.Latin1.GetString(buffer, start, headEnd);
                    start += headEnd + 4;
                    return Parse(text);
                }

                if (end - start >= MaxHeaderBytes)
                {
                    throw new InvalidDataException("request head too large");
                }

                MakeRoom();
                var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return start == end ? null : throw new InvalidDataException("connection closed inside a request head");
                }

                end += read;
            }
        }

        public async Task SkipBodyAsync(long length, CancellationToken cancellationToken)
        {
            var buffered = (int)Math.Min(length, end - start);
            start += buffered;
            length -= buffered;
            while (length > 0)
            {
                MakeRoom();
                var read = await stream.ReadAsync(buffer.AsMemory(end, (int)Math.Min(length, buffer.Length - end)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new InvalidDataException("connection closed inside a request body");
                }

                length -= read;
            }
        }

        private void MakeRoom()
        {
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }

        private static RequestHead Parse(string head)
        {
            var lines = head.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            if (requestLine.Length != 3)
            {
                throw new InvalidDataException($"bad request line: {lines[0]}");
            }

            var keepAlive = requestLine[2] == "HTTP/1.1";
            long contentLength = 0;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    keepAlive = !value.Equals("close", StringComparison.OrdinalIgnoreCase);
                }
                else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    contentLength = long.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidDataException("request bodies with Transfer-Encoding are not supported");
                }
            }

            return new RequestHead(requestLine[0], requestLine[1], keepAlive, contentLength);
        }
    }
}
