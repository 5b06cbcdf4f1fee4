using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>A request line and the headers the loopback test servers act on.</summary>
internal sealed record RequestHead(string Method, string Target, bool KeepAlive, long ContentLength, string? Range = null);

/// <summary>
/// Reads HTTP/1.1 request heads from a connection for the loopback test servers (keep-alive, bodies skipped), keeping
/// bytes that belong to the next request.
/// </summary>
internal sealed class RequestReader(NetworkStream stream)
{
    private const int MaxHeaderBytes = 64 * 1024;

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
        string? range = null;
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
            else if (name.Equals("Range", StringComparison.OrdinalIgnoreCase))
            {
                range = value;
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException("request bodies with Transfer-Encoding are not supported");
            }
        }

        return new RequestHead(requestLine[0], requestLine[1], keepAlive, contentLength, range);
    }
}
