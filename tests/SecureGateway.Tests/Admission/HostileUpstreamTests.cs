using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Admission;

/// <summary>One gateway in front of one upstream that serves a hostile version per case.</summary>
public sealed class HostileUpstream : IAsyncLifetime
{
    public GoProxyLayout Layout { get; } = new(TempDirectory.Create("hostile-upstream"));

    internal StaticGoProxyServer Server { get; private set; } = null!;

    internal GatewayInstance Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = StaticGoProxyServer.Start(Layout.RootDirectory);
        Gateway = await GatewayInstance.StartAsync(Server.Url);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// Hostile upstream content, end to end: for each case what the go user is told, what is recorded, and that nothing
/// reached the cache. Cases covered elsewhere and counted with these: <c>x/../y.go</c> and <c>A.go</c>/<c>a.go</c>
/// through the go command, a 500 and a truncated zip (<see cref="RefusalTests"/>); every zip rule on its own
/// (SecureGateway.Core.Tests ModuleZipRulesTests).
/// </summary>
public sealed class HostileUpstreamTests(HostileUpstream fixture) : IClassFixture<HostileUpstream>
{
    private const string Version = "v1.0.0";
    private const string Denied = "denied";
    private const string SlowDrip = "slow-drip-past-deadline";
    private static readonly TimeSpan DripDeadline = TimeSpan.FromMinutes(3);
    private static readonly byte[] Go = Encoding.UTF8.GetBytes("package evil\n");
    private static readonly DateTimeOffset Published = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <param name="Arrange">Puts the hostile version of the module path it is given into the upstream.</param>
    /// <param name="Request">The artefact asked for: <c>zip</c>, or <c>list</c> for the version list.</param>
    /// <param name="Reason">Text the go user must be shown; for a 200, the whole body.</param>
    /// <param name="Recorded">The outcome recorded for the version, or null when nothing may be recorded.</param>
    private sealed record HostileCase(
        Action<GoProxyLayout, StaticGoProxyServer, string> Arrange, HttpStatusCode Status, string Reason, string? Recorded, string Request = "zip");

    private static readonly Dictionary<string, HostileCase> Cases = new()
    {
        ["entry-outside-prefix"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m))).Append(("example.com/other@v1.0.0/x.go", Go))),
            HttpStatusCode.Forbidden, "path does not have prefix", Denied),
        ["parent-escape"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m)), ("../../../../etc/cron.d/x", "* * * * * root id\n"))),
            HttpStatusCode.Forbidden, "invalid path element \"..\"", Denied),
        ["absolute-path"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m))).Append(("/etc/passwd", Go))),
            HttpStatusCode.Forbidden, "file \"/etc/passwd\": path does not have prefix", Denied),
        ["backslash-traversal"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m)), ("..\\..\\x.go", "package x\n"))),
            HttpStatusCode.Forbidden, "invalid char '\\\\'", Denied),
        ["unicode-case-collision"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m)), ("k.go", "package k\n"), ("\u212A.go", "package k\n"))),
            HttpStatusCode.Forbidden, "case-insensitive file name collision", Denied),
        ["file-and-directory"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m)), ("x", "file\n"), ("x/y.go", "package y\n"))),
            HttpStatusCode.Forbidden, "is both a file and a directory", Denied),
        ["duplicate-names"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m)), ("x.go", "package x\n"), ("x.go", "package x // the other one\n"))),
            HttpStatusCode.Forbidden, "multiple entries for file \"x.go\"", Denied),
        ["symlink-entry"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m),
                HostileZip.WithSymlink(Files(m, ("go.mod", GoMod(m)), ("config", "../../../../root/.ssh/authorized_keys")), $"{m}@{Version}/config"), Published),
            HttpStatusCode.Forbidden, "is a symbolic link", Denied),
        ["end-record-counts-one-more-entry"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m), HostileZip.MisstateEnd(Ordinary(m), entryCountDelta: 1), Published),
            HttpStatusCode.Forbidden, "zip: not a valid zip file", Denied),
        ["end-record-counts-one-entry-less"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m), HostileZip.MisstateEnd(Ordinary(m), entryCountDelta: -1), Published),
            HttpStatusCode.Forbidden, "zip: not a valid zip file", Denied),
        ["central-directory-offset-wrong"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m), HostileZip.MisstateEnd(Ordinary(m), offsetDelta: 7), Published),
            HttpStatusCode.Forbidden, "zip: not a valid zip file", Denied),
        ["central-directory-size-wrong"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m), HostileZip.MisstateEnd(Ordinary(m), sizeDelta: -20), Published),
            HttpStatusCode.Forbidden, "zip: not a valid zip file", Denied),
        ["local-name-differs-from-central"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m), HostileZip.RenameInLocalHeader(Ordinary(m), 1, LocalTraversal($"{m}@{Version}/a.go")), Published),
            HttpStatusCode.Forbidden, "local header names", Denied),
        ["bomb-declaring-a-small-size"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m),
                HostileZip.DeclareUncompressedSize(GoProxyLayout.BuildZip(Files(m, ("go.mod", GoMod(m))).Append(($"{m}@{Version}/zeros.txt", new byte[64 << 20]))), 1, 1024), Published),
            HttpStatusCode.Forbidden, "uncompressed size is larger than declared size (1024 bytes)", Denied),
        ["bomb-declaring-600-MiB"] = new(
            (layout, _, m) => layout.AddRawZip(m, Version, GoMod(m),
                HostileZip.DeclareUncompressedSize(GoProxyLayout.BuildZip(Files(m, ("go.mod", GoMod(m))).Append(($"{m}@{Version}/zeros.txt", new byte[1 << 20]))), 1, 600u << 20), Published),
            HttpStatusCode.Forbidden, "total uncompressed size of module contents too large", Denied),
        ["zip-over-500-MiB"] = new(
            (layout, server, m) => { AddOrdinary(layout, m); server.DeclareLength(GoProxyLayout.RequestPath(m, Version, "zip"), 501L << 20); },
            HttpStatusCode.Forbidden, "size limit: ", Denied),
        ["go-mod-in-zip-differs"] = new(
            (layout, _, m) => AddZip(layout, m, Files(m, ("go.mod", GoMod(m) + "require evil.example/m v1.0.0\n"), ("a.go", "package a\n"))),
            HttpStatusCode.Forbidden, "go.mod does not match the module's .mod file", Denied),
        ["info-huge"] = new(
            (layout, _, m) => { AddOrdinary(layout, m); File.WriteAllText(layout.FilePath(m, Version, "info"), $"{{\"Version\":\"{Version}\",\"Pad\":\"{new string('x', 1 << 20)}\"}}"); },
            HttpStatusCode.Forbidden, "size limit: ", Denied),
        ["info-not-json"] = new(
            (layout, _, m) => { AddOrdinary(layout, m); File.WriteAllText(layout.FilePath(m, Version, "info"), "<html>rate limited</html>\n"); },
            HttpStatusCode.Forbidden, "info: .info is not valid JSON", Denied),
        ["info-for-another-version"] = new(
            (layout, _, m) => { AddOrdinary(layout, m); File.WriteAllText(layout.FilePath(m, Version, "info"), "{\"Version\":\"v9.9.9\"}\n"); },
            HttpStatusCode.Forbidden, "upstream returned info for version v9.9.9 instead of requested version v1.0.0", Denied),
        ["mod-huge"] = new(
            (layout, _, m) => { AddOrdinary(layout, m); File.WriteAllText(layout.FilePath(m, Version, "mod"), GoMod(m) + new string('/', 16 << 20)); },
            HttpStatusCode.Forbidden, "size limit: ", Denied),
        ["list-huge"] = new(
            (layout, _, m) => { AddOrdinary(layout, m); File.WriteAllText(ListFile(layout, m), string.Concat(Enumerable.Range(0, 2_000_000).Select(i => $"v1.0.{i}\n"))); },
            HttpStatusCode.Forbidden, "size limit: ", null, "list"),
        ["list-with-garbage-lines"] = new(
            (layout, _, m) => { AddOrdinary(layout, m); File.WriteAllText(ListFile(layout, m), GarbageList); },
            HttpStatusCode.OK, "v1.0.0\nv1.2.3\n", null, "list"),
        [SlowDrip] = new(
            (layout, server, m) => { AddOrdinary(layout, m); server.Drip(GoProxyLayout.RequestPath(m, Version, "zip"), TimeSpan.FromMilliseconds(200)); },
            HttpStatusCode.GatewayTimeout, $"took longer than {DripDeadline} (Gateway:UpstreamDeadline)", null),
        ["content-length-short"] = new(
            (layout, server, m) => { AddOrdinary(layout, m); server.DeclareLength(GoProxyLayout.RequestPath(m, Version, "zip"), 100); },
            HttpStatusCode.Forbidden, "zip: not a valid zip file", Denied),
        ["gzip-encoding-lie"] = new(
            (layout, server, m) => { AddOrdinary(layout, m); server.AddHeaders(GoProxyLayout.RequestPath(m, Version, "zip"), "Content-Encoding: gzip"); },
            HttpStatusCode.BadGateway, "Content-Encoding gzip", null),
        ["gzip-encoding-not-asked-for"] = new(
            (layout, server, m) =>
            {
                AddOrdinary(layout, m);
                var zip = layout.FilePath(m, Version, "zip");
                File.WriteAllBytes(zip, Gzip(File.ReadAllBytes(zip)));
                server.AddHeaders(GoProxyLayout.RequestPath(m, Version, "zip"), "Content-Encoding: gzip");
            },
            HttpStatusCode.BadGateway, "Content-Encoding gzip", null),
    };

    /// <summary>What the go command keeps of it: v1.0.0 and v1.2.3 (with a time); the rest are not canonical semantic versions or are pseudo-versions.</summary>
    private const string GarbageList =
        "v1.0.0\nnot-a-version\nv1.0\nv01.0.0\nv1.1.0+build\n\u0000\u0001binary\u00ff\nv1.2.3 2024-01-01T00:00:00Z\n"
        + "v0.0.0-20240101000000-abcdefabcdef\n" + "v9.9.9" + "x" + "\n\n   \n";

    /// <summary>Zips Go's reader accepts (it reads the central directory alone) but other unzip tools read differently; not refused yet.</summary>
    private static readonly string[] ParserDifferentials = ["central-directory-size-wrong", "local-name-differs-from-central"];

    public static TheoryData<string> CaseNames => [.. Cases.Keys.Except([.. ParserDifferentials, SlowDrip])];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public Task Get_HostileUpstreamContent_AnsweredAsExpectedNothingCached(string name) => AssertAnsweredAsExpectedAsync(name);

    private const string ParserDifferentialSkip =
        "Admitted today (found by this case): refusing needs a new zip rule that walks the central directory and the local "
        + "headers byte by byte (their names, and the directory's stated size against its end record); see issue 10's closing note";

    [Fact(Skip = ParserDifferentialSkip)]
    public Task Get_EndRecordUnderstatesDirectorySize_Refused() => AssertAnsweredAsExpectedAsync("central-directory-size-wrong");

    [Fact(Skip = ParserDifferentialSkip)]
    public Task Get_LocalHeaderNameClimbsOutOfFolder_Refused() => AssertAnsweredAsExpectedAsync("local-name-differs-from-central");

    /// <summary>
    /// The one case about time, on a gateway of its own whose deadline runs on a fake clock: advanced once the zip is
    /// requested (the deadline is set before the request goes out), so it waits on no real timer. The idle timeout is
    /// longer than the deadline, so only the deadline can end the drip.
    /// </summary>
    [Fact]
    public async Task Get_UpstreamDripsPastDeadline_504NothingRecordedNothingCached()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var gateway = await GatewayInstance.StartOnClockAsync(
            fixture.Server.Url, time, "--Gateway:UpstreamTimeout=00:10:00", $"--Gateway:UpstreamDeadline={DripDeadline}");
        var target = Arrange(SlowDrip);

        var answer = gateway.Http.GetAsync(target.TrimStart('/'));
        await fixture.Server.WaitForRequestCountAsync(target, 1);
        time.Advance(DripDeadline);
        using var response = await answer;

        await AssertAnswerAsync(SlowDrip, gateway, response);
    }

    private async Task AssertAnsweredAsExpectedAsync(string name)
    {
        var target = Arrange(name);
        using var response = await fixture.Gateway.Http.GetAsync(target.TrimStart('/'));
        await AssertAnswerAsync(name, fixture.Gateway, response);
    }

    /// <summary>Puts case <paramref name="name"/> into the upstream; returns the request path it is asked for by.</summary>
    private string Arrange(string name)
    {
        var hostile = Cases[name];
        var module = ModuleOf(name);
        hostile.Arrange(fixture.Layout, fixture.Server, module);
        return hostile.Request == "list" ? GoProxyLayout.ListRequestPath(module) : GoProxyLayout.RequestPath(module, Version, hostile.Request);
    }

    private static async Task AssertAnswerAsync(string name, GatewayInstance gateway, HttpResponseMessage response)
    {
        var hostile = Cases[name];
        var module = ModuleOf(name);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(hostile.Status, response.StatusCode);
        if (hostile.Status == HttpStatusCode.OK)
        {
            Assert.Equal(hostile.Reason, body);
        }
        else
        {
            Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Contains(hostile.Reason, body, StringComparison.Ordinal);
        }

        var decisions = await gateway.DecisionsAsync($"?module={module}");
        if (hostile.Recorded is null)
        {
            Assert.Empty(decisions);
        }
        else
        {
            var decision = Assert.Single(decisions);
            Assert.Equal(hostile.Recorded, decision.GetProperty("outcome").GetString());
            Assert.Contains($"(decision {decision.GetProperty("id").GetInt64()})", body, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "cache", "example.com", "hostile", name.ToLowerInvariant())));
    }

    private static string ModuleOf(string name) => $"example.com/hostile/{name.ToLowerInvariant()}";

    private static string GoMod(string module) => $"module {module}\n";

    private static IEnumerable<(string Name, byte[] Content)> Files(string module, params (string Name, string Text)[] files) =>
        GoProxyLayout.ModuleFiles(module, Version, files);

    private static byte[] Ordinary(string module) =>
        GoProxyLayout.BuildZip(Files(module, ("go.mod", GoMod(module)), ("a.go", "package a\n")));

    private static void AddOrdinary(GoProxyLayout layout, string module) =>
        layout.AddRawZip(module, Version, GoMod(module), Ordinary(module), Published);

    private static void AddZip(GoProxyLayout layout, string module, IEnumerable<(string Name, byte[] Content)> entries) =>
        layout.AddVersion(module, Version, GoMod(module), entries, Published);

    private static string ListFile(GoProxyLayout layout, string module) =>
        Path.Combine(Path.GetDirectoryName(layout.FilePath(module, Version, "list"))!, "list");

    /// <summary>A name of the same length as <paramref name="original"/> that climbs out of any extraction folder.</summary>
    private static string LocalTraversal(string original)
    {
        const string Tail = "x.sh";
        var climbs = (original.Length - Tail.Length) / 3;
        return string.Concat(Enumerable.Repeat("../", climbs)) + new string('y', original.Length - Tail.Length - (climbs * 3)) + Tail;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }
}
