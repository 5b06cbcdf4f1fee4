using SecureGateway.Access;
using SecureGateway.Protocol;
using SecureGateway.Verification.ChecksumDb;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace SecureGateway.Upstream;

/// <summary>
/// The checksum database as the go command reaches it through a GOPROXY: <c>/sumdb/{name}/supported</c> answers 200 for
/// the configured database only; lookups, <c>latest</c> and tiles are forwarded by YARP to its URL, except full tiles
/// this gateway already authenticated, which are served from disk. Clients verify everything themselves. The routes need
/// the same client role as the GOPROXY endpoints, and nothing of the client's identity is forwarded.
/// </summary>
public static class ChecksumDbProxyEndpoints
{
    public const string ClusterId = "checksum-db";

    public static IEndpointRouteBuilder MapChecksumDbProxy(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/sumdb/{**rest}", [HttpMethods.Get, HttpMethods.Head], ForwardAsync).RequireGatewayClient();
        return endpoints;
    }

    private static async Task ForwardAsync(
        HttpContext context, ChecksumDbVerifier verifier, ChecksumDbTiles tiles, IHttpForwarder forwarder, IProxyStateLookup proxyState)
    {
        var settings = verifier.Settings;
        var rest = (context.Request.Path.Value ?? "")["/sumdb/".Length..];
        var prefix = settings.Name + "/";
        if (settings.Disabled || !rest.StartsWith(prefix, StringComparison.Ordinal))
        {
            await ProxyResults.Text(StatusCodes.Status404NotFound, $"not found: this gateway proxies only the checksum DB {settings.Name}").ExecuteAsync(context);
            return;
        }

        var path = rest[prefix.Length..];
        if (path == "supported")
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        if (Tile.TryParsePath(path, out var tile) && tiles.CachedTile(tile) is { } data)
        {
            await TypedResults.Bytes(data, "application/octet-stream").ExecuteAsync(context);
            return;
        }

        if (!proxyState.TryGetCluster(ClusterId, out var cluster) || cluster.Model.HttpClient is not { } client)
        {
            await ProxyResults.Text(StatusCodes.Status503ServiceUnavailable, $"unavailable: checksum DB {settings.Name} is not configured").ExecuteAsync(context);
            return;
        }

        var error = await forwarder.SendAsync(context, settings.Url!.AbsoluteUri, client, ForwarderRequestConfig.Empty, new ToPath(path));
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            await ProxyResults.Text(StatusCodes.Status502BadGateway, $"upstream error: checksum DB {settings.Name}: {error}").ExecuteAsync(context);
        }
    }

    /// <summary>
    /// Sends the request to <c>{database URL}/{path}</c>, dropping the <c>/sumdb/{name}</c> prefix and any query, with only
    /// the headers a checksum-DB request needs: the client's credentials (the go command sends its GOPROXY credentials
    /// here too), cookies and proxy headers stay at the gateway.
    /// </summary>
    private sealed class ToPath(string path) : HttpTransformer
    {
        private static readonly string[] Forwarded = ["Accept", "Accept-Encoding", "If-None-Match", "If-Modified-Since"];

        public override ValueTask TransformRequestAsync(
            HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            proxyRequest.RequestUri = new Uri(destinationPrefix.TrimEnd('/') + "/" + path);
            foreach (var name in Forwarded)
            {
                if (httpContext.Request.Headers.TryGetValue(name, out var values))
                {
                    proxyRequest.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
                }
            }

            proxyRequest.Headers.UserAgent.ParseAdd("SecureGateway/1.0");
            return ValueTask.CompletedTask;
        }
    }
}
