using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Tests.Ledger;

namespace SecureGateway.Tests.Facts;

/// <summary>
/// OpenSSF's malicious-packages data as a fact source: a record arriving in the checkout re-decides the admitted version
/// it matches at once (denied, naming the MAL id, whatever its age), and a version first seen later is denied outright.
/// </summary>
public sealed class MaliciousPackagesTests
{
    private const string Module = "example.com/typosquat";
    private static readonly DateTimeOffset LongAgo = new(2019, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan SyncInterval = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task RecordArrives_AdmittedOldVersionDeniedAtOnceNamingIt_AndAVersionFirstSeenLaterToo()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        var licence = File.ReadAllText("/usr/share/common-licenses/Apache-2.0");
        foreach (var version in new[] { "v1.0.0", "v1.1.0" })
        {
            layout.AddVersion(Module, version, $"module {Module}\n",
                GoProxyLayout.ModuleFiles(Module, version, ("go.mod", $"module {Module}\n"), ("a.go", "package a\n"), ("LICENSE", licence)), LongAgo);
        }

        var checkout = TempDirectory.Create("malicious-packages");
        var records = Directory.CreateDirectory(Path.Combine(checkout, "osv", "malicious", "go", "example.com", "typosquat")).FullName;
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time,
            $"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:MaliciousPackages:Source={checkout}", $"--Gateway:MaliciousPackages:Interval={SyncInterval}");
        await gateway.WaitForFactDataAsync();
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(gateway, "v1.0.0"));

        File.WriteAllText(Path.Combine(records, "MAL-2025-4242.json"), $$"""
            {"schema_version":"1.5.0","id":"MAL-2025-4242","modified":"2025-06-01T00:00:00Z","published":"2025-06-01T00:00:00Z",
             "summary":"Malicious code in {{Module}} (Go)","details":"The package exfiltrates environment variables.",
             "affected":[{"package":{"ecosystem":"Go","name":"{{Module}}"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}
            """);
        time.Advance(SyncInterval);
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(gateway, "v1.0.0") == HttpStatusCode.Forbidden, "the record refuses the admitted version");

        using var client = GoClient.Fresh(gateway.BaseUrl);
        var admitted = await client.RunAsync(null, null, "mod", "download", $"{Module}@v1.0.0");
        var firstSeen = await client.RunAsync(null, null, "mod", "download", $"{Module}@v1.1.0");

        Assert.False(admitted.Succeeded);
        Assert.Contains("server response:\n\tdenied: known malicious package MAL-2025-4242 (decision ", admitted.StandardError, StringComparison.Ordinal);
        Assert.False(firstSeen.Succeeded, firstSeen.StandardError);
        Assert.Contains("server response: denied: malicious: known malicious package MAL-2025-4242 (decision ", firstSeen.StandardError, StringComparison.Ordinal);
        var reevaluated = (await gateway.DecisionsAsync($"?module={Module}&version=v1.0.0"))[0];
        Assert.Equal("gateway (re-evaluation)", reevaluated.GetProperty("actor").GetString());
        Assert.Equal("MAL-2025-4242", reevaluated.GetProperty("facts").GetProperty("malicious")[0].GetProperty("id").GetString());
        Assert.Empty(reevaluated.GetProperty("facts").GetProperty("vulnerabilities").EnumerateArray());
    }

    [Fact]
    public async Task ArchiveSource_RecordArrivesInANewArchive_AdmittedVersionDeniedAndUnchangedArchivesNotReadAgain()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n"), ("LICENSE", File.ReadAllText("/usr/share/common-licenses/Apache-2.0"))), LongAgo);
        var archive = Archive(withRecord: false);
        var etag = "\"v1\"";
        var notModified = 0;
        await using var mirror = await LoopbackHttpServer.StartAsync(async context =>
        {
            if (context.Request.Headers.IfNoneMatch == etag)
            {
                Interlocked.Increment(ref notModified);
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            context.Response.Headers.ETag = etag;
            context.Response.ContentType = "application/gzip";
            await context.Response.Body.WriteAsync(archive);
        });
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayInstance.StartOnClockAsync(upstream.Url, time,
            $"--Gateway:PolicyDir={Repository.CopyOfPolicies()}", $"--Gateway:MaliciousPackages:Source={mirror.Url}/archive/refs/heads/main.tar.gz",
            $"--Gateway:MaliciousPackages:Interval={SyncInterval}");
        await gateway.WaitForFactDataAsync();
        Assert.Equal(HttpStatusCode.OK, await ZipStatusAsync(gateway, "v1.0.0"));
        time.Advance(SyncInterval);
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref notModified) > 0), "the next sync asks for the unchanged archive by its ETag");

        (archive, etag) = (Archive(withRecord: true), "\"v2\"");
        time.Advance(SyncInterval);
        await Eventually.HoldsAsync(async () => await ZipStatusAsync(gateway, "v1.0.0") == HttpStatusCode.Forbidden, "the record in the new archive refuses the admitted version");

        using var refused = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "mod").TrimStart('/'));
        Assert.StartsWith("denied: known malicious package MAL-2025-4242 (decision ", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_HttpsSource_ConfigurationErrorNamingWhatToUse()
    {
        var (exit, _, stderr) = await GatewayCli.RunAsync("migrate", "--Gateway:MaliciousPackages:Source=https://github.com/ossf/malicious-packages");

        Assert.Equal(1, exit);
        Assert.Contains("use a checkout of github.com/ossf/malicious-packages", stderr, StringComparison.Ordinal);
    }

    /// <summary>A .tar.gz laid out as GitHub archives the repository: a top folder, Go and npm records, other files.</summary>
    private static byte[] Archive(bool withRecord)
    {
        using var bytes = new MemoryStream();
        using (var gzip = new GZipStream(bytes, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "malicious-packages-main/osv/malicious/go/"));
            Add(tar, "malicious-packages-main/README.md", "# malicious-packages");
            Add(tar, "malicious-packages-main/osv/malicious/npm/left-pad-evil/MAL-2025-0001.json", """{"id":"MAL-2025-0001","modified":"2025-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"left-pad-evil"}}]}""");
            if (withRecord)
            {
                Add(tar, "malicious-packages-main/osv/malicious/go/example.com/typosquat/MAL-2025-4242.json", $$"""
                    {"id":"MAL-2025-4242","modified":"2025-06-01T00:00:00Z","summary":"Malicious code in {{Module}} (Go)",
                     "affected":[{"package":{"ecosystem":"Go","name":"{{Module}}"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}
                    """);
            }
        }

        return bytes.ToArray();
    }

    private static void Add(TarWriter tar, string name, string content) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });

    private static async Task<HttpStatusCode> ZipStatusAsync(GatewayInstance gateway, string version)
    {
        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, version, "zip").TrimStart('/'));
        return response.StatusCode;
    }
}
