using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using SecureGateway.Tests.Infrastructure;

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
                    var path = Uri.UnescapeDataString(request.Target.Split('?', 2)[0]);
                    var response = request.Method is "GET" or "HEAD"
                        ? await handler(new SumDbRequest(request.Method, path), stopping.Token).ConfigureAwait(false)
                        : SumDbResponse.Error(405, $"method not allowed: {request.Method}");
                    var head = $"HTTP/1.1 {response.Status} {ReasonPhrases.GetReasonPhrase(response.Status)}\r\nContent-Type: {response.ContentType}\r\n"
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

}
