using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Storage;

/// <summary>
/// Gateways keeping their artefacts in S3 (a real Ceph RADOS Gateway): the go command downloads through one, a second
/// gateway on the same database and bucket (its own data folder) serves the admitted bytes from the bucket with the
/// upstream gone, and a revocation on one is refused by the other.
/// </summary>
public sealed class S3GatewayTests(CephS3Server server) : IClassFixture<CephS3Server>, IAsyncLifetime
{
    private const string Small = "example.com/s3small";
    private const string Large = "example.com/s3large";
    private const string Version = "v1.0.0";

    private readonly GoProxyLayout layout = new(TempDirectory.Create("upstream"));
    private readonly string prefix = $"gateway-{Guid.NewGuid():N}/";
    private StaticGoProxyServer upstream = null!;

    public Task InitializeAsync()
    {
        var old = DateTimeOffset.UtcNow.AddDays(-30);
        layout.AddVersion(Small, Version, $"module {Small}\n", GoProxyLayout.ModuleFiles(Small, Version, ("go.mod", $"module {Small}\n"), ("a.go", "package a\n")), old);

        // Larger than the in-memory hot set takes (1 MB): served as a stream from the bucket.
        var noise = Convert.ToBase64String(RandomNumberGenerator.GetBytes(2 << 20));
        layout.AddVersion(Large, Version, $"module {Large}\n",
            GoProxyLayout.ModuleFiles(Large, Version, ("go.mod", $"module {Large}\n"), ("a.go", "package a\n"), ("data.txt", noise)), old);
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await upstream.DisposeAsync();

    [Fact]
    public async Task GoDownloadsThroughOne_SecondServesFromTheBucket_RevocationOnOneRefusedByTheOther()
    {
        await using var first = await StartAsync(upstream.Url);
        using var go = GoClient.Fresh(first.BaseUrl);
        var downloads = await go.DownloadJsonAsync($"{Small}@{Version}", $"{Large}@{Version}");
        using var ready = await first.Http.GetAsync("readyz");
        var readiness = await ready.Content.ReadAsStringAsync();
        var keys = await server.KeysAsync(prefix);

        await upstream.DisposeAsync();
        await using var second = await StartAsync("http://127.0.0.1:9", first.ConnectionString);
        var zip = await File.ReadAllBytesAsync(layout.FilePath(Large, Version, "zip"));
        using var fromBucket = await second.Http.GetAsync(GoProxyLayout.RequestPath(Large, Version, "zip").TrimStart('/'));
        var served = await fromBucket.Content.ReadAsByteArrayAsync();

        using var revoke = GatewayInstance.AdminRequest("admin/revoke");
        revoke.Method = HttpMethod.Post;
        revoke.Content = JsonContent.Create(new { module = Small, version = Version, justification = "compromised" });
        using var revoked = await first.Http.SendAsync(revoke);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        // Revocation reaches other processes by PostgreSQL NOTIFY.
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await second.Http.GetAsync(GoProxyLayout.RequestPath(Small, Version, "zip").TrimStart('/'));
            return response.StatusCode == HttpStatusCode.Forbidden;
        }, "the second gateway refuses the version revoked on the first");
        var keysAfter = await server.KeysAsync(prefix);

        Assert.All(downloads, d => Assert.True(d.Succeeded, d.Error));
        Assert.Contains("artefact-store: Healthy (s3 ", readiness, StringComparison.Ordinal);
        Assert.Contains($"{prefix}cache/{Small}/@v/{Version}/current", keys);
        Assert.Contains($"{prefix}cache/{Large}/@v/{Version}/current", keys);
        Assert.Equal(HttpStatusCode.OK, fromBucket.StatusCode);
        Assert.Equal(zip, served);
        Assert.Contains($"{prefix}held/{Small}/@v/{Version}/current", keysAfter);
        Assert.DoesNotContain($"{prefix}cache/{Small}/@v/{Version}/current", keysAfter);
    }

    private Task<GatewayInstance> StartAsync(string upstreamUrl, string? connectionString = null) =>
        GatewayInstance.StartAsync(upstreamUrl, connectionString: connectionString, extraArguments: server.GatewayArguments(prefix));
}
