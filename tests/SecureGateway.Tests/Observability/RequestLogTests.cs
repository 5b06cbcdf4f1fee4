using System.Net;
using System.Text.RegularExpressions;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Observability;

/// <summary>
/// ASP.NET Core's per-request log is off as shipped (while its logger is on, every request carries an activity and a log
/// scope), and comes back when an operator names its category, as README says.
/// </summary>
public sealed class RequestLogTests
{
    private const string Module = "example.com/logged";
    private const string Version = "v1.0.0";
    private const string RequestLogCategory = "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics";

    [Fact]
    public async Task AsShipped_EvenWithEverythingAtInformation_NoRequestLog()
    {
        var output = await OutputAfterOneRequestAsync("--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Microsoft.AspNetCore=Information");

        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Request finished", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CategoryAtInformation_EachRequestLogged()
    {
        var output = await OutputAfterOneRequestAsync($"{RequestLogCategory}=Information");

        Assert.Matches($@"Request starting HTTP/1\.1 GET http://127\.0\.0\.1:\d+{Regex.Escape(PathOf())}", output);
        Assert.Matches($@"Request finished HTTP/1\.1 GET http://127\.0\.0\.1:\d+{Regex.Escape(PathOf())}", output);
    }

    private static async Task<string> OutputAfterOneRequestAsync(params string[] logging)
    {
        await using var upstream = StaticGoProxyServer.Start(MetricsEndpointTests.Upstream(Module, Version).RootDirectory);
        await using var gateway = await GatewayProcess.StartAsync(
            upstream.Url, TempDirectory.Create("gateway-data"), await TestPostgres.CreateDatabaseAsync(), Repository.CopyOfPolicies(), logging);

        // Whatever the policies answer (this module's licence may not pass them): the request is what is logged.
        using var response = await gateway.Http.GetAsync(PathOf().TrimStart('/'));

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{response.StatusCode}");
        Assert.Equal(0, await gateway.StopAsync());
        return gateway.Output;
    }

    private static string PathOf() => GoProxyLayout.RequestPath(Module, Version, "info");
}
