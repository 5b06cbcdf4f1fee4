using System.Net;
using System.Text;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Verification.DirHash;
using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Tests.ChecksumDb;

/// <summary>
/// Hostile checksum-DB answers, end to end: per case a fresh database of ten records (the target is record 0, so its
/// proof reads the one tile <c>tile/8/0/000.p/10</c>) and a fresh gateway, so no trusted head or cached tile hides the
/// attack. Counted with these, in <see cref="ChecksumDbAdmissionTests"/>: notes signed by another key only or with a
/// wrong key hash, a tile with a flipped byte, a record text that is not the proven one, an unknown module, an
/// unreachable database, forks (larger, same size, older) and a stale but consistent head.
/// </summary>
public sealed class HostileChecksumDbTests : IAsyncLifetime
{
    private const string Target = "example.com/sumdb/target";
    private const string Other = "example.com/sumdb/other";
    private const string Version = "v1.0.0";
    private const string TilePath = "/tile/8/0/000.p/10";
    private const int TreeSize = 10;
    private const int HashSize = 32;

    private readonly GoProxyLayout layout = new(TempDirectory.Create("sumdb-upstream"));
    private StaticGoProxyServer upstream = null!;
    private TestChecksumDatabase sumdb = null!;

    /// <param name="Tamper">Rewrites the database's answers: (the genuine lookup answer for the other module, path, genuine body) → body served.</param>
    /// <param name="Reason">Text the go user must be shown (for a 200, nothing).</param>
    /// <param name="Recorded">The outcome recorded, or null when nothing may be decided.</param>
    private sealed record HostileCase(Func<byte[], string, byte[], byte[]> Tamper, HttpStatusCode Status, string Reason, string? Recorded);

    private static readonly Dictionary<string, HostileCase> Cases = new()
    {
        ["tile-0-bytes"] = TileOfLength(0),
        ["tile-1-byte"] = TileOfLength(1),
        ["tile-31-bytes"] = TileOfLength(HashSize - 1),
        ["tile-33-bytes"] = TileOfLength(HashSize + 1),
        ["tile-one-hash-short"] = TileOfLength((TreeSize - 1) * HashSize),
        ["tile-one-hash-long"] = TileOfLength((TreeSize + 1) * HashSize),
        ["tile-one-byte-long"] = TileOfLength((TreeSize * HashSize) + 1),
        ["tile-larger-than-a-full-tile"] = new(
            (_, path, body) => path == TilePath ? new byte[(256 * HashSize) + 1] : body,
            HttpStatusCode.ServiceUnavailable, $"unavailable: checksum DB tile {TilePath[1..]}: ", null),
        ["tile-right-length-wrong-hashes"] = new(
            (_, path, body) => path == TilePath ? new byte[body.Length] : body,
            HttpStatusCode.Forbidden, "is not proven in tree 10", "denied"),
        ["note-with-5000-signatures"] = new(
            (_, path, body) => IsLookup(path) ? WithSignatureLines(body, 5000) : body,
            HttpStatusCode.ServiceUnavailable, "answered a malformed lookup", null),
        ["note-with-99-unknown-signatures-and-the-real-one"] = new(
            (_, path, body) => IsLookup(path) ? WithSignatureLines(body, 99) : body,
            HttpStatusCode.OK, "", "admitted"),
        ["lookup-answered-for-another-module"] = new(
            (otherLookup, path, body) => path == $"/lookup/{Target}@{Version}" ? otherLookup : body,
            HttpStatusCode.Forbidden, $"its record for {Target}@{Version} has no zip hash", "denied"),
        ["record-id-beyond-tree-size"] = new(
            (_, path, body) => IsLookup(path) ? WithRecordId(body, "15") : body,
            HttpStatusCode.Forbidden, "record 15 is not in the signed tree of size 10", "denied"),
        ["record-id-not-a-number"] = new(
            (_, path, body) => IsLookup(path) ? WithRecordId(body, "0x0") : body,
            HttpStatusCode.ServiceUnavailable, "answered a malformed lookup", null),
        ["lookup-of-4-MiB"] = new(
            (_, path, body) => IsLookup(path) ? [.. body, .. new byte[4 << 20]] : body,
            HttpStatusCode.ServiceUnavailable, "bytes; the limit is 2048576 bytes", null),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    public Task InitializeAsync()
    {
        foreach (var module in new[] { Target, Other })
        {
            layout.AddVersion(module, Version, GoMod(module),
                GoProxyLayout.ModuleFiles(module, Version, ("go.mod", GoMod(module)), ("a.go", "package a\n")), DateTimeOffset.UnixEpoch);
        }

        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        sumdb = TestChecksumDatabase.Start();
        foreach (var module in new[] { Target, Other })
        {
            var zip = ModuleZipRules.Check(layout.FilePath(module, Version, "zip"), module, Version, Encoding.UTF8.GetBytes(GoMod(module)));
            sumdb.AddModule(module, Version, zip.ZipHash!, Hash1.OfGoMod(Encoding.UTF8.GetBytes(GoMod(module))));
        }

        sumdb.AddFiller(TreeSize - 2);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await sumdb.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Get_HostileChecksumDbAnswer_FailsClosedWithReasonNothingUnverifiedKept(string name)
    {
        var hostile = Cases[name];
        Assert.Equal(TilePath[1..], sumdb.HashTilePath(sumdb.RecordId(Target, Version)!.Value));
        using var direct = new HttpClient();
        var otherLookup = await direct.GetByteArrayAsync($"{sumdb.Url}/lookup/{Other}@{Version}");
        sumdb.Tamper((path, body) => hostile.Tamper(otherLookup, path, body));
        await using var gateway = await GatewayInstance.StartAsync(upstream.Url, extraArguments: [$"--Gateway:SumDb={sumdb.GoSumDb}"]);

        using var response = await gateway.Http.GetAsync(GoProxyLayout.RequestPath(Target, Version, "zip").TrimStart('/'));

        Assert.Equal(hostile.Status, response.StatusCode);
        if (hostile.Status != HttpStatusCode.OK)
        {
            Assert.Contains(hostile.Reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "cache", "example.com", "sumdb")));
        }

        var decisions = await gateway.DecisionsAsync();
        if (hostile.Recorded is null)
        {
            Assert.Empty(decisions);
        }
        else
        {
            Assert.Equal(hostile.Recorded, Assert.Single(decisions).GetProperty("outcome").GetString());
        }

        // Every tile the gateway kept (and would serve go clients on /sumdb/) is the database's genuine one.
        sumdb.Tamper(null);
        var tileCache = Path.Combine(gateway.DataDirectory, "sumdb", sumdb.Name);
        foreach (var tile in Directory.Exists(tileCache) ? Directory.EnumerateFiles(tileCache, "*", SearchOption.AllDirectories) : [])
        {
            var genuine = await direct.GetByteArrayAsync($"{sumdb.Url}/{Path.GetRelativePath(tileCache, tile)}");
            Assert.Equal(genuine, await File.ReadAllBytesAsync(tile));
        }
    }

    private static HostileCase TileOfLength(int length) => new(
        (_, path, body) => path == TilePath ? [.. body.Concat(new byte[Math.Max(0, length - body.Length)]).Take(length)] : body,
        HttpStatusCode.Forbidden, "is not proven in tree 10", "denied");

    private static string GoMod(string module) => $"module {module}\n";

    private static bool IsLookup(string path) => path.StartsWith("/lookup/", StringComparison.Ordinal);

    /// <summary>Adds <paramref name="count"/> well-formed signature lines of keys nobody configured before the real one.</summary>
    private static byte[] WithSignatureLines(byte[] lookup, int count)
    {
        var text = Encoding.UTF8.GetString(lookup);
        var signatures = text.LastIndexOf("\n\n", StringComparison.Ordinal) + 2;
        var unknown = string.Concat(Enumerable.Range(0, count).Select(i =>
            $"\u2014 stranger{i}.example {Convert.ToBase64String([.. BitConverter.GetBytes(i), .. new byte[64]])}\n"));
        return Encoding.UTF8.GetBytes(text[..signatures] + unknown + text[signatures..]);
    }

    private static byte[] WithRecordId(byte[] lookup, string id)
    {
        var text = Encoding.UTF8.GetString(lookup);
        return Encoding.UTF8.GetBytes(id + text[text.IndexOf('\n', StringComparison.Ordinal)..]);
    }
}
