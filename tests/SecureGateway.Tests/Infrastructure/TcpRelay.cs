using System.Net;
using System.Net.Sockets;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// Forwards connections from a fixed loopback port to <see cref="TargetPort"/>, so a client keeps one address while the
/// server behind it is stopped and started again on another port (the embedded PostgreSQL picks a free port each start).
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task acceptLoop;

    public TcpRelay(int targetPort)
    {
        TargetPort = targetPort;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Where new connections go; connections already relayed stay where they are.</summary>
    public int TargetPort { get; set; }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        await acceptLoop;
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
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, TargetPort);
        }
    }

    private async Task RelayAsync(TcpClient client, int targetPort)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, targetPort, stopping.Token);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
                var up = client.GetStream().CopyToAsync(server.GetStream(), either.Token);
                var down = server.GetStream().CopyToAsync(client.GetStream(), either.Token);

                // When one side closes, the other is closed too: the client sees what a stopped server does.
                await Task.WhenAny(up, down);
                await either.CancelAsync();
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The target is down (the client sees its connection closed) or the relay is stopping.
            }
        }
    }
}
