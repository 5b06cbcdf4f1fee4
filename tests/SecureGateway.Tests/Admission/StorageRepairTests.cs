using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Admission;

/// <summary>A crash between recording a decision and moving files is repaired at the next start (and by doctor).</summary>
public sealed class StorageRepairTests
{
    private const string Module = "example.com/crashy";

    [Fact]
    public async Task Restart_RevokedVersionStillInCacheAndStagingLeftover_MovedToHeldAndRemovedAndRecorded()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        var cached = "";
        string dataDirectory, connectionString;
        await using (var gateway = await GatewayInstance.StartAsync(upstream.Url))
        {
            (dataDirectory, connectionString) = (gateway.DataDirectory, gateway.ConnectionString);
            Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'))).StatusCode);
            cached = Path.Combine(dataDirectory, "cache", "example.com", "crashy", "@v", "v1.0.0");
            var copy = TempDirectory.Create("evidence");
            foreach (var file in Directory.EnumerateFiles(cached))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            using var revoke = GatewayInstance.AdminRequest("admin/revoke");
            revoke.Method = HttpMethod.Post;
            revoke.Content = JsonContent.Create(new { module = Module, version = "v1.0.0", justification = "typosquat" });
            Assert.Equal(HttpStatusCode.OK, (await gateway.Http.SendAsync(revoke)).StatusCode);

            // As if the process died after recording the revocation and before moving the files.
            Directory.Move(copy, cached);
        }

        var leftover = Directory.CreateDirectory(Path.Combine(dataDirectory, "tmp", "0123456789abcdef0123456789abcdef", "staged")).FullName;
        File.WriteAllText(Path.Combine(leftover, "zip"), "half a zip");

        await using var restarted = await GatewayInstance.StartAsync(upstream.Url, dataDirectory, connectionString);
        using var refused = await restarted.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/'));
        using var doctor = await restarted.Http.SendAsync(GatewayInstance.AdminRequest("admin/doctor"));
        var report = await doctor.Content.ReadFromJsonAsync<JsonElement>();
        using var events = await restarted.Http.SendAsync(GatewayInstance.AdminRequest("admin/audit/events?kind=storage-repair"));
        var repair = Assert.Single((await events.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(Directory.Exists(cached));
        Assert.True(File.Exists(Path.Combine(dataDirectory, "held", "example.com", "crashy", "@v", "v1.0.0", "zip")));
        Assert.False(Directory.Exists(Path.GetDirectoryName(leftover)));
        Assert.Equal(HttpStatusCode.OK, doctor.StatusCode);
        Assert.Empty(report.GetProperty("moved").EnumerateArray());
        Assert.Equal(1, report.GetProperty("decided").GetInt32());
        Assert.Contains($"{Module}@v1.0.0: cache → held", repair.GetProperty("evidence").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_AdmittedVersionFilesLost_FetchedAgainAndMustMatch()
    {
        var layout = new GoProxyLayout(TempDirectory.Create("upstream"));
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        await using var upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url);
        var zip = GoProxyLayout.RequestPath(Module, "v1.0.0", "zip").TrimStart('/');
        Assert.Equal(HttpStatusCode.OK, (await gateway.Http.GetAsync(zip)).StatusCode);

        // The files vanish (a lost disk) and upstream now serves other bytes for the same version.
        Directory.Delete(Path.Combine(gateway.DataDirectory, "cache", "example.com", "crashy", "@v", "v1.0.0"), recursive: true);
        layout.AddVersion(Module, "v1.0.0", $"module {Module}\n",
            GoProxyLayout.ModuleFiles(Module, "v1.0.0", ("go.mod", $"module {Module}\n"), ("a.go", "package a // rewritten\n")), DateTimeOffset.UnixEpoch);
        using var alarm = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Module, "v1.0.0", "mod").TrimStart('/'));
        using var events = await gateway.Http.SendAsync(GatewayInstance.AdminRequest("admin/audit/events?kind=checksum-alarm"));

        Assert.Equal(HttpStatusCode.BadGateway, alarm.StatusCode);
        Assert.StartsWith("upstream error: checksum alarm: upstream now serves example.com/crashy@v1.0.0 as zip h1:", await alarm.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Single((await events.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        Assert.Equal("admitted", Assert.Single(await gateway.DecisionsAsync()).GetProperty("outcome").GetString());
    }
}
