using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecureGateway.Tests.Facts;

/// <summary>
/// A real HTTP server (Kestrel) on 127.0.0.1 and a free port that answers every request with <c>handler</c>,
/// and records each request target (path and query, as sent).
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<string> requests = new();

    private LoopbackHttpServer(WebApplication app) => this.app = app;

    /// <summary>The base URL, <c>http://127.0.0.1:PORT</c> (no trailing slash).</summary>
    public string Url { get; private set; } = "";

    /// <summary>Every request target in arrival order, e.g. <c>/ID/GO-2022-0229.json</c> or <c>/index?since=…&amp;limit=2</c>.</summary>
    public IReadOnlyList<string> Requests => [.. requests];

    public static async Task<LoopbackHttpServer> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LoopbackHttpServer(app);
        app.Run(context =>
        {
            server.requests.Enqueue(context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent());
            return handler(context);
        });
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return server;
    }

    /// <summary>Forgets the requests recorded so far.</summary>
    public void ClearRequests() => requests.Clear();

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
