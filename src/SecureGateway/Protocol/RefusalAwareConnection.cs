using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace SecureGateway.Protocol;

/// <summary>
/// A connection whose output can put a reason into Kestrel's own refusal (<see cref="KestrelRefusals"/>). It stands for
/// Kestrel's connection in the middleware chain so that it also sees the transport HTTPS sets: connection middleware
/// added for every endpoint runs before TLS, and only the decrypted transport's output carries HTTP.
/// </summary>
internal sealed class RefusalAwareConnection : ConnectionContext
{
    private readonly ConnectionContext inner;
    private IDuplexPipe transport;
    private RefusalReasonWriter output;

    public RefusalAwareConnection(ConnectionContext inner)
    {
        this.inner = inner;
        (transport, output) = Wrap(inner.Transport);
        inner.Features.Set(this);
    }

    public override IDuplexPipe Transport
    {
        get => transport;
        set
        {
            inner.Transport = value;
            (transport, output) = Wrap(value);
        }
    }

    public override string ConnectionId
    {
        get => inner.ConnectionId;
        set => inner.ConnectionId = value;
    }

    public override IFeatureCollection Features => inner.Features;

    public override IDictionary<object, object?> Items
    {
        get => inner.Items;
        set => inner.Items = value;
    }

    public override CancellationToken ConnectionClosed
    {
        get => inner.ConnectionClosed;
        set => inner.ConnectionClosed = value;
    }

    public override EndPoint? LocalEndPoint
    {
        get => inner.LocalEndPoint;
        set => inner.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => inner.RemoteEndPoint;
        set => inner.RemoteEndPoint = value;
    }

    /// <summary>The next response head written is Kestrel's refusal: it gets <paramref name="reason"/> as its body.</summary>
    public void ExpectRefusal(string reason) => output.ExpectRefusal(reason);

    public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

    public override void Abort() => inner.Abort();

    private static (IDuplexPipe, RefusalReasonWriter) Wrap(IDuplexPipe pipe)
    {
        var writer = new RefusalReasonWriter(pipe.Output);
        return (new DuplexPipe(pipe.Input, writer), writer);
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
