using SecureGateway.Hosting;
using SecureGateway.Modules;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace SecureGateway.Upstream;

/// <summary>
/// Chooses the upstream for a module path: the first <c>Gateway:Upstreams</c> entry whose globs match, else
/// <c>Gateway:Upstream</c>. Every HTTP upstream is a YARP cluster; <see cref="Clusters"/> feeds YARP's config.
/// </summary>
public sealed class UpstreamRouter
{
    private const string DefaultClusterId = "upstream";

    private readonly (string Modules, IUpstream Source)[] routes;
    private readonly IUpstream fallback;

    internal UpstreamRouter(GatewayOptions options, IProxyStateLookup proxyState, TimeProvider time)
    {
        routes = options.Upstreams
            .Select((route, i) => (route.Modules, Create($"{DefaultClusterId}-{i + 1}", route.Url, options, proxyState, time)))
            .ToArray();
        fallback = Create(DefaultClusterId, options.Upstream, options, proxyState, time);
    }

    public IUpstream For(string modulePath) =>
        routes.FirstOrDefault(r => ModulePathPatterns.Matches(r.Modules, modulePath)).Source ?? fallback;

    /// <summary>Whether the module comes from an upstream chosen for its path (a private one), not the default.</summary>
    public bool IsRouted(string modulePath) => routes.Any(r => ModulePathPatterns.Matches(r.Modules, modulePath));

    /// <summary>The YARP clusters for every HTTP upstream in <paramref name="options"/>.</summary>
    internal static IReadOnlyList<ClusterConfig> Clusters(GatewayOptions options) =>
        options.Upstreams.Select((route, i) => ($"{DefaultClusterId}-{i + 1}", route.Url))
            .Prepend((DefaultClusterId, options.Upstream))
            .Where(u => ParseUpstreamUrl(u.Item2).Scheme is "http" or "https")
            .Select(u => new ClusterConfig
            {
                ClusterId = u.Item1,
                Destinations = new Dictionary<string, DestinationConfig> { ["primary"] = new() { Address = u.Item2 } },
                HttpRequest = new() { ActivityTimeout = options.UpstreamTimeout },
            })
            .ToList();

    private static IUpstream Create(string clusterId, string url, GatewayOptions options, IProxyStateLookup proxyState, TimeProvider time)
    {
        var uri = ParseUpstreamUrl(url);
        return uri.IsFile
            ? new FileUpstream(uri.LocalPath)
            : new HttpUpstream(clusterId, RedactedUrl.Of(url).TrimEnd('/'), proxyState, options.UpstreamTimeout, options.UpstreamDeadline, RedirectPolicy.From(options.UpstreamRedirectHosts), time);
    }

    private static Uri ParseUpstreamUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file"
            ? uri
            : throw new InvalidOperationException($"Gateway upstream \"{RedactedUrl.Of(url)}\" is not an http, https or file URL.");
}
