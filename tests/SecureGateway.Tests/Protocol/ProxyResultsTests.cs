using Microsoft.AspNetCore.Http;
using SecureGateway.Protocol;
using SecureGateway.Storage;

namespace SecureGateway.Tests.Protocol;

public sealed class ProxyResultsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ProxyResults.SliceBytes)]
    [InlineData(ProxyResults.SliceBytes + 1)]
    [InlineData(HotArtefacts.MaxItemBytes)]
    public async Task WriteOk_AnySize_WholeBodyInWritesOfAtMostOneSlice(int length)
    {
        var body = new byte[length];
        new Random(length).NextBytes(body);
        var (context, written) = Context("GET");

        await ProxyResults.WriteOkAsync(context, body, "application/zip", "private");

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal(length, context.Response.ContentLength);
        Assert.Equal(body, written.ToArray());
        Assert.All(written.Writes, size => Assert.InRange(size, 0, ProxyResults.SliceBytes));
        Assert.Equal((length + ProxyResults.SliceBytes - 1) / ProxyResults.SliceBytes, written.Writes.Count(size => size > 0));
    }

    [Fact]
    public async Task WriteOk_Head_HeadersWithoutBody()
    {
        var (context, written) = Context("HEAD");

        await ProxyResults.WriteOkAsync(context, new byte[ProxyResults.SliceBytes * 3], "application/zip", "private");

        Assert.Equal(ProxyResults.SliceBytes * 3, context.Response.ContentLength);
        Assert.Empty(written.Writes);
    }

    private static (DefaultHttpContext Context, RecordingStream Written) Context(string method)
    {
        var written = new RecordingStream();
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Response.Body = written;
        return (context, written);
    }

    /// <summary>A response body that remembers the size of every write it was given.</summary>
    private sealed class RecordingStream : MemoryStream
    {
        public List<int> Writes { get; } = [];

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Writes.Add(count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }
    }
}
