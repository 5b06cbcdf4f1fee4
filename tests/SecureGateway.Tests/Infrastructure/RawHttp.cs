using System.Net.Sockets;
using System.Text;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// Sends a request byte for byte: HttpClient would normalise <c>..</c> and escapes and refuse bad headers, hiding exactly
/// the input the gateway must refuse.
/// </summary>
internal static class RawHttp
{
    public static Task<RawResponse> GetAsync(string baseUrl, string target) =>
        SendAsync(baseUrl, $"GET {target} HTTP/1.1\r\nHost: {new Uri(baseUrl).Authority}\r\nConnection: close\r\n\r\n");

    /// <summary>Sends <paramref name="request"/> (UTF-8) as it is and reads the answer until the gateway closes the connection.</summary>
    public static async Task<RawResponse> SendAsync(string baseUrl, string request)
    {
        var response = await ExchangeAsync(baseUrl, request);
        var headerEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = response[..headerEnd].Split("\r\n");
        var headers = head.Skip(1).Select(line => line.Split(':', 2)).ToLookup(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        return new RawResponse(status, headers["Content-Type"].FirstOrDefault() ?? "", response[(headerEnd + 4)..], headers);
    }

    /// <summary>Sends <paramref name="request"/> (UTF-8; several pipelined requests if you like) and returns every byte answered, as text.</summary>
    public static async Task<string> ExchangeAsync(string baseUrl, string request)
    {
        var uri = new Uri(baseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var stream = tcp.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request));
        }
        catch (IOException)
        {
            // Kestrel may answer and close before an over-long request has all been sent; its answer is still there to read.
        }

        return await ReadToCloseAsync(stream);
    }

    private static async Task<string> ReadToCloseAsync(NetworkStream stream)
    {
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // A reset after the answer (the request was not read to its end) ends the answer as a close would.
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}

internal sealed record RawResponse(int Status, string ContentType, string Body, ILookup<string, string> Headers)
{
    public void Deconstruct(out int status, out string contentType, out string body) => (status, contentType, body) = (Status, ContentType, Body);
}
