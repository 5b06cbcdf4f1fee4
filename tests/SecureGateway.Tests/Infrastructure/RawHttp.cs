using System.Net.Sockets;
using System.Text;

namespace SecureGateway.Tests.Infrastructure;

/// <summary>
/// Sends a request target byte for byte: HttpClient would normalise <c>..</c> and escapes, hiding exactly
/// the input the gateway must refuse.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string ContentType, string Body)> GetAsync(string baseUrl, string target)
    {
        var uri = new Uri(baseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var stream = tcp.GetStream();
        var request = $"GET {target} HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var headerEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = response[..headerEnd].Split("\r\n");
        var status = int.Parse(headers[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var contentType = headers.FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim() ?? "";
        return (status, contentType, response[(headerEnd + 4)..]);
    }
}
