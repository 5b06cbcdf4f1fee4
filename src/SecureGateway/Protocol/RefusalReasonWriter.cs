using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace SecureGateway.Protocol;

/// <summary>
/// Passes a connection's output through untouched, except for one response head it was told to expect: Kestrel's own
/// refusal (<c>HTTP/1.1 400 Bad Request</c>, <c>Content-Length: 0</c>, <c>Connection: close</c>), which it holds until
/// flushed and sends with a text/plain reason as its body. Kestrel closes the connection after such a refusal, so the
/// added body cannot run into a next response.
/// </summary>
internal sealed class RefusalReasonWriter(PipeWriter inner) : PipeWriter
{
    private ArrayBufferWriter<byte>? refusal;
    private byte[] reason = [];

    private static ReadOnlySpan<byte> EmptyBody => "\r\nContent-Length: 0\r\n"u8;

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes + (refusal?.WrittenCount ?? 0);

    public void ExpectRefusal(string text)
    {
        reason = Encoding.UTF8.GetBytes(text + "\n");
        refusal = new ArrayBufferWriter<byte>();
    }

    public override void Advance(int bytes)
    {
        if (refusal is null)
        {
            inner.Advance(bytes);
        }
        else
        {
            refusal.Advance(bytes);
        }
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => refusal is null ? inner.GetMemory(sizeHint) : refusal.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => refusal is null ? inner.GetSpan(sizeHint) : refusal.GetSpan(sizeHint);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        WriteRefusal();
        return inner.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        WriteRefusal();
        inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        WriteRefusal();
        return inner.CompleteAsync(exception);
    }

    /// <summary>Sends the held head, with the reason when it is the expected empty HTTP/1 refusal, else as it was written.</summary>
    private void WriteRefusal()
    {
        if (refusal is not { WrittenCount: > 0 } held)
        {
            return;
        }

        refusal = null;
        var head = held.WrittenSpan;
        var emptyBody = head.IndexOf(EmptyBody);
        if (!head.StartsWith("HTTP/1."u8) || !head.EndsWith("\r\n\r\n"u8) || emptyBody < 0)
        {
            inner.Write(head);
            return;
        }

        inner.Write(head[..emptyBody]);
        inner.Write(Encoding.ASCII.GetBytes(string.Create(
            CultureInfo.InvariantCulture, $"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {reason.Length}")));
        inner.Write(head[(emptyBody + EmptyBody.Length - 2)..]);
        inner.Write(reason);
    }
}
