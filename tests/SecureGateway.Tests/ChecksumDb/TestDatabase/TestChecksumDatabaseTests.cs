using System.Diagnostics;
using System.Net;
using System.Text;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Verification.ChecksumDb;
using Xunit.Abstractions;

namespace SecureGateway.Tests.ChecksumDb;

/// <summary>
/// <see cref="TestChecksumDatabase"/> checked over HTTP with the product's core and against the real go command
/// (GOSUMDB pointing at it), so the attacks it stages in gateway tests are known to be what Go itself refuses.
/// </summary>
public sealed class TestChecksumDatabaseTests(GoModuleUniverseFixture fixture, ITestOutputHelper output) : IClassFixture<GoModuleUniverseFixture>
{
    private GoModuleUniverse Universe => fixture.Universe;

    private DownloadedModule Alpha => Universe.Get(GoModuleUniverse.Alpha, "v1.0.0");

    [Fact]
    public async Task Latest_EmptyDatabase_SignedEmptyTree()
    {
        await using var db = TestChecksumDatabase.Start();
        using var http = new HttpClient();

        var note = Notes.Open(await http.GetByteArrayAsync(db.Url + "/latest"), [NoteVerifier.Parse(db.VerifierKey)]);

        Assert.Equal(new TreeHead(0, default), TreeHead.Parse(Encoding.UTF8.GetBytes(note.Text)));
        Assert.Equal($"{db.VerifierKey} {db.Url}", db.GoSumDb);
        Assert.StartsWith("sum.test.example+", db.VerifierKey, StringComparison.Ordinal);
        Assert.Equal((1, 1), (db.LatestRequests, db.TotalRequests));
    }

    [Fact]
    public async Task Lookup_KnownModule_IdRecordAndSignedHeadAsServerGo()
    {
        await using var db = TestChecksumDatabase.Start();
        db.AddFiller(3);
        var id = db.AddModule("example.com/Upper.git", "v0.1.0", "h1:zip=", "h1:mod=");
        using var http = new HttpClient();

        using var response = await http.GetAsync(db.Url + "/lookup/example.com/!upper.git@v0.1.0");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, id);
        const string Record = "example.com/Upper.git v0.1.0 h1:zip=\nexample.com/Upper.git v0.1.0/go.mod h1:mod=\n";
        Assert.StartsWith("3\n" + Record + "\ngo.sum database tree\n4\n", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        var lookup = LookupRecord.Parse(body);
        Assert.Equal("h1:mod=", lookup.HashFor("example.com/Upper.git", "v0.1.0", goMod: true));
        var head = TreeHead.Parse(Encoding.UTF8.GetBytes(Notes.Open(lookup.SignedNote, [NoteVerifier.Parse(db.VerifierKey)]).Text));
        Assert.Equal(await db.HeadAsync(), head);
        Assert.Equal((1, 1), (db.LookupRequests, db.TotalRequests));
    }

    [Theory]
    [InlineData("/lookup/example.com/none@v1.0.0", 404, "not found: example.com/none@v1.0.0\n")]
    [InlineData("/lookup/example.com/x", 400, "invalid module@version syntax\n")]
    [InlineData("/nothing", 404, "404 page not found\n")]
    [InlineData("/tile/8/0/001", 404, "not found: tile/8/0/001\n")]
    [InlineData("/tile/8/0/000.p/3", 404, "not found: tile/8/0/000.p/3\n")]
    [InlineData("/tile/8/data/000.p/3", 404, "not found: tile/8/data/000.p/3\n")]
    [InlineData("/tile/4/0/000.p/1", 404, "not found: tile/4/0/000.p/1\n")]
    [InlineData("/tile/8/0/000.p/256", 400, "invalid tile syntax\n")]
    public async Task Request_NotInTwoRecordDatabase_GoStatusAndText(string path, int status, string text)
    {
        await using var db = TestChecksumDatabase.Start();
        db.AddFiller(2);
        using var http = new HttpClient();

        using var response = await http.GetAsync(db.Url + path);

        Assert.Equal((status, text), ((int)response.StatusCode, await response.Content.ReadAsStringAsync()));
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Lookup_UnknownModuleWithStatus410_GoneLikeSumGolangOrg()
    {
        await using var db = TestChecksumDatabase.Start();
        db.UnknownLookupStatus = 410;
        using var http = new HttpClient();

        using var response = await http.GetAsync(db.Url + "/lookup/example.com/none@v1.0.0");

        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
    }

    [Fact]
    public async Task Tiles_1000Records_AuthenticateWithCoreTileHashReader()
    {
        await using var db = TestChecksumDatabase.Start();
        db.AddFiller(1000);
        var head = await db.HeadAsync();
        using var http = new HttpClient();
        var reader = new TileHashReader(head, new HttpTileReader(http, db.Url));

        var hashes = await reader.ReadHashesAsync([Tlog.StoredHashIndex(0, 0), Tlog.StoredHashIndex(0, 999), Tlog.StoredHashIndex(8, 2)], default);

        var data = await http.GetByteArrayAsync(db.Url + "/tile/8/data/003.p/232");
        var text = Encoding.UTF8.GetString(data);
        Assert.StartsWith("768\nfiller.example/m768 v0.0.0 h1:", text, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", text, StringComparison.Ordinal);
        var last = text[(text.LastIndexOf("\n999\n", StringComparison.Ordinal) + 5)..^1];
        Assert.Equal(Tlog.RecordHash(Encoding.UTF8.GetBytes(last)), hashes[1]);
        Assert.Equal(232 * 32, (await http.GetByteArrayAsync(db.Url + "/tile/8/0/003.p/232")).Length);
        Assert.Equal(100 * 32, (await http.GetByteArrayAsync(db.Url + "/tile/8/0/003.p/100")).Length);
        Assert.Equal(256 * 32, (await http.GetByteArrayAsync(db.Url + "/tile/8/0/002")).Length);
        Assert.Equal("tile/8/0/003.p/232", db.HashTilePath(999));
        Assert.Equal("tile/8/1/000.p/3", db.HashTilePath(999, level: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => db.HashTilePath(999, level: 2));
        Assert.Equal(db.LookupRequests + db.LatestRequests + db.TileRequests, db.TotalRequests);
        db.ResetCounters();
        Assert.Equal((0, 0, 0, 0), (db.LookupRequests, db.LatestRequests, db.TileRequests, db.TotalRequests));
    }

    [Fact]
    public async Task GoCommand_UniverseInDatabase_AcceptsEveryModule()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);

        var result = await DownloadAsync(go, [.. GoModuleUniverse.Versions.Select(v => v.ToString())]);

        Assert.True(result.Succeeded, result.Describe());
        Assert.Equal(Universe.Modules.Count, db.LookupRequests);
        Assert.Equal(0, db.LatestRequests);
        Assert.Contains(db.RequestPaths, p => p.StartsWith("/tile/8/0/000.p/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GoCommand_RecordWithAlteredZipHash_ChecksumMismatchSecurityError()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = TestChecksumDatabase.Start();
        db.AddModule(Alpha.Path, Alpha.Version, "h1:" + Convert.ToBase64String(new byte[32]), Alpha.GoModSum);
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);

        var result = await DownloadAsync(go, $"{Alpha}");

        Assert.False(result.Succeeded);
        Assert.Contains("checksum mismatch", Output(result), StringComparison.Ordinal);
        Assert.Contains("SECURITY ERROR", Output(result), StringComparison.Ordinal);
        output.WriteLine(Output(result));
    }

    [Fact]
    public async Task GoCommand_100kFillerRecordsFirst_AcceptsEveryModuleThroughRealTiles()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = TestChecksumDatabase.Start();
        var filling = Stopwatch.StartNew();
        db.AddFiller(100_000);
        filling.Stop();
        db.AddFromGoSums(Universe.Modules.Select(m => (m.Path, m.Version, m.Sum, m.GoModSum)));
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);

        var downloading = Stopwatch.StartNew();
        var result = await DownloadAsync(go, [.. GoModuleUniverse.Versions.Select(v => v.ToString())]);
        downloading.Stop();

        Assert.True(result.Succeeded, result.Describe());
        Assert.Contains("/tile/8/2/000.p/1", db.RequestPaths);
        output.WriteLine($"AddFiller(100_000): {filling.ElapsedMilliseconds} ms; go mod download over a tree of {db.Size}: {downloading.ElapsedMilliseconds} ms");
        output.WriteLine(string.Join("\n", db.RequestPaths.Where(p => p.StartsWith("/tile/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task GoCommand_CorruptHashTile_Refuses()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        var tile = db.HashTilePath(db.RecordId(Alpha.Path, Alpha.Version)!.Value);
        db.CorruptTile(tile);
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);

        var result = await DownloadAsync(go, $"{Alpha}");

        Assert.False(result.Succeeded);
        Assert.Contains("downloaded inconsistent tile", Output(result), StringComparison.Ordinal);
        Assert.Contains("/" + tile, db.RequestPaths);
        output.WriteLine(Output(result));
    }

    [Fact]
    public async Task GoCommand_HeadSignedWithOtherKey_Refuses()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        db.SignWithOtherKey(true);
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);

        var result = await DownloadAsync(go, $"{Alpha}");

        Assert.False(result.Succeeded);
        Assert.Contains("note has no verifiable signatures", Output(result), StringComparison.Ordinal);
        output.WriteLine(Output(result));
    }

    [Fact]
    public async Task GoCommand_SignatureWithWrongKeyHash_Refuses()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        db.SignWithWrongKeyHash(true);
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);

        var result = await DownloadAsync(go, $"{Alpha}");

        Assert.False(result.Succeeded);
        Assert.Contains("note has no verifiable signatures", Output(result), StringComparison.Ordinal);
        output.WriteLine(Output(result));
        db.SignWithWrongKeyHash(false);
        using var healed = GoClient.Fresh(proxy.Url, db.GoSumDb);
        var retry = await DownloadAsync(healed, $"{Alpha}");
        Assert.True(retry.Succeeded, retry.Describe());
    }

    [Fact]
    public async Task GoCommand_LookupRecordOverride_CannotAuthenticateRecord()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        var fake = Universe.Get(GoModuleUniverse.Alpha, "v1.1.0");
        db.LookupRecordOverride(Alpha.Path, Alpha.Version, $"{Alpha.Path} {Alpha.Version} {fake.Sum}\n{Alpha.Path} {Alpha.Version}/go.mod {fake.GoModSum}\n");
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);

        var result = await DownloadAsync(go, $"{Alpha}");

        Assert.False(result.Succeeded);
        Assert.Contains("cannot authenticate record data in server response", Output(result), StringComparison.Ordinal);
        output.WriteLine(Output(result));
    }

    [Fact]
    public async Task GoCommand_ForkAfterClientSawHead_SecurityErrorServerMisbehavior()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);
        var first = await DownloadAsync(go, $"{Alpha}");
        Assert.True(first.Succeeded, first.Describe());

        db.Fork();
        var result = await DownloadAsync(go, $"{GoModuleUniverse.BetaV2}@v2.0.0");

        Assert.False(result.Succeeded);
        Assert.Equal("", result.StandardOutput);
        Assert.StartsWith("SECURITY ERROR\ngo.sum database server misbehavior detected!", result.StandardError, StringComparison.Ordinal);
        output.WriteLine(Output(result));
        using var fresh = GoClient.Fresh(proxy.Url, db.GoSumDb);
        var freshResult = await DownloadAsync(fresh, $"{GoModuleUniverse.BetaV2}@v2.0.0");
        Assert.True(freshResult.Succeeded, freshResult.Describe());
    }

    [Fact]
    public async Task GoCommand_OlderConsistentHead_Accepted()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        db.AddFiller(300);
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);
        var first = await DownloadAsync(go, $"{Alpha}");
        Assert.True(first.Succeeded, first.Describe());

        db.ServeOlderHead(200);
        var result = await DownloadAsync(go, $"{GoModuleUniverse.BetaV2}@v2.0.0");

        Assert.True(result.Succeeded, result.Describe());
        Assert.Equal(200, TreeHead.Parse(Encoding.UTF8.GetBytes(Notes.Open(await GetLatestAsync(db), [NoteVerifier.Parse(db.VerifierKey)]).Text)).N);
    }

    [Fact]
    public async Task GoCommand_OlderHeadOfForkedHistory_SecurityError()
    {
        await using var proxy = StaticGoProxyServer.Start(Universe.ProxyDirectory);
        await using var db = StartWithUniverse();
        db.AddFiller(300);
        using var go = GoClient.Fresh(proxy.Url, db.GoSumDb);
        var first = await DownloadAsync(go, $"{Alpha}");
        Assert.True(first.Succeeded, first.Describe());

        db.Fork(index: 100);
        db.ServeOlderHead(200);
        var result = await DownloadAsync(go, $"{GoModuleUniverse.BetaV2}@v2.0.0");

        Assert.False(result.Succeeded);
        Assert.Contains("SECURITY ERROR", Output(result), StringComparison.Ordinal);
        output.WriteLine(Output(result));
    }

    private TestChecksumDatabase StartWithUniverse()
    {
        var db = TestChecksumDatabase.Start();
        db.AddFromGoSums(Universe.Modules.Select(m => (m.Path, m.Version, m.Sum, m.GoModSum)));
        return db;
    }

    // go exits at once on a sumdb SECURITY ERROR (no JSON then), so the whole command result is kept.
    private static Task<CommandResult> DownloadAsync(GoClient go, params string[] moduleAtVersions) =>
        go.RunAsync(null, null, ["mod", "download", "-json", .. moduleAtVersions]);

    private static string Output(CommandResult result) => result.StandardOutput + result.StandardError;

    private static async Task<byte[]> GetLatestAsync(TestChecksumDatabase db)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(db.Url + "/latest");
    }

    /// <summary>Reads tiles from the database over HTTP, for the core's <see cref="TileHashReader"/>.</summary>
    private sealed class HttpTileReader(HttpClient http, string url) : ITileReader
    {
        public int Height => TestChecksumDatabase.TileHeight;

        public async ValueTask<IReadOnlyList<byte[]>> ReadTilesAsync(IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
        {
            var data = new List<byte[]>();
            foreach (var tile in tiles)
            {
                data.Add(await http.GetByteArrayAsync($"{url}/{tile.Path()}", cancellationToken));
            }

            return data;
        }

        public void SaveTiles(IReadOnlyList<Tile> tiles, IReadOnlyList<byte[]> data)
        {
        }
    }
}
