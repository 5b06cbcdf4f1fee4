using System.IO.Compression;
using System.Net;
using System.Text;
using SecureGateway.Admission;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Tests.Infrastructure;
using SecureGateway.Verification.DirHash;

namespace SecureGateway.Tests.Admission;

/// <summary>
/// A zip past <see cref="ZipCheckAhead.Threshold"/> is checked while it downloads, over the tail the upstream sends for
/// a range request: what the gateway decides must still be about the zip that arrived, whatever the range answer said,
/// and an upstream without range answers or one that stops mid-zip must be handled as before.
/// </summary>
public sealed class ZipCheckAheadTests : IAsyncLifetime
{
    private const string Version = "v1.0.0";
    private static readonly DateTimeOffset Published = new(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly GoProxyLayout layout = new(TempDirectory.Create("zip-ahead-upstream"));
    private StaticGoProxyServer upstream = null!;
    private GatewayInstance gateway = null!;

    public async Task InitializeAsync()
    {
        upstream = StaticGoProxyServer.Start(layout.RootDirectory);
        gateway = await GatewayInstance.StartAsync(upstream.Url);
    }

    public async Task DisposeAsync()
    {
        await gateway.DisposeAsync();
        await upstream.DisposeAsync();
    }

    [Fact]
    public async Task RangeAnswered_ZipCheckedAsItArrives_AdmittedWithItsOwnHash()
    {
        // The zip pauses past the threshold until the tail was sent: on loopback it would otherwise arrive whole before
        // the range answer, and be checked from the file.
        const string module = "example.com/large/answered";
        var zip = AddLarge(module, LargeZip(module, Random(40 << 20, seed: 1)));
        upstream.AnswerRanges(ZipPath(module));
        HoldZipUntilRangeAnswered(module);

        await AssertServedAndCheckedAheadAsync(module, zip, "used", rangeRequests: 1);

        Assert.Equal(Hash1.OfZip(layout.FilePath(module, Version, "zip")), await RecordedZipHashAsync(module));
    }

    [Fact]
    public async Task RangeAnswerFromAnotherZip_CheckAheadDiscarded_DecidedOnTheZipThatArrived()
    {
        // Two zips of one length that differ only in their last kilobyte of data (inside the tail) and in the CRC-32
        // their central directories give: checked over the lying tail, the arriving zip would pass as the other one.
        const string module = "example.com/large/lying";
        var content = Random(40 << 20, seed: 2);
        var other = (byte[])content.Clone();
        Random(1024, seed: 3).CopyTo(other, other.Length - 1024);
        var claimed = LargeZip(module, other);
        var zip = AddLarge(module, LargeZip(module, content));
        Assert.Equal(zip.Length, claimed.Length);
        upstream.AnswerRanges(ZipPath(module), claimed);
        HoldZipUntilRangeAnswered(module);

        await AssertServedAndCheckedAheadAsync(module, zip, "discarded", rangeRequests: 1);

        var arrived = Hash1.OfZip(layout.FilePath(module, Version, "zip"));
        Assert.Equal(arrived, await RecordedZipHashAsync(module));
        File.WriteAllBytes(layout.FilePath(module, Version, "zip"), claimed);
        Assert.NotEqual(Hash1.OfZip(layout.FilePath(module, Version, "zip")), arrived);
    }

    [Fact]
    public async Task UpstreamIgnoresRanges_ZipCheckedAfterItArrived()
    {
        const string module = "example.com/large/unranged";
        var zip = AddLarge(module, LargeZip(module, Random(40 << 20, seed: 4)));
        HoldZipUntilRangeAnswered(module);

        await AssertServedAndCheckedAheadAsync(module, zip, "unanswered", rangeRequests: 1);

        Assert.Equal(Hash1.OfZip(layout.FilePath(module, Version, "zip")), await RecordedZipHashAsync(module));
    }

    [Fact]
    public async Task ZipStopsMidwayWhileChecked_RefusedAsUpstreamFailure_NothingCached()
    {
        // Half of 40 MB arrives, past the threshold, the rest of that half only once the tail was sent: the check ahead
        // is then waiting for bytes that never come.
        const string module = "example.com/large/truncated";
        AddLarge(module, LargeZip(module, Random(40 << 20, seed: 5)));
        upstream.AnswerRanges(ZipPath(module));
        upstream.RespondTruncated(ZipPath(module));
        HoldZipUntilRangeAnswered(module);

        using var response = await gateway.Http.GetAsync(ZipPath(module).TrimStart('/'));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("upstream", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, upstream.RangeRequestCount(ZipPath(module)));
        Assert.False(Directory.Exists(Path.Combine(gateway.DataDirectory, "cache", "example.com", "large", "truncated")));
    }

    [Fact]
    public async Task AdmittedZipLostHere_FetchedAgainAndCheckedAsItArrives_Served()
    {
        const string module = "example.com/large/refetched";
        var zip = AddLarge(module, LargeZip(module, Random(40 << 20, seed: 6)));
        using (var first = await gateway.Http.GetAsync(ZipPath(module).TrimStart('/')))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The files vanish here (a lost disk, or another replica's own folder): the admitted version is fetched again.
        Directory.Delete(Path.Combine(gateway.DataDirectory, "cache", "example.com", "large", "refetched", "@v", Version), recursive: true);
        upstream.ClearOverride(ZipPath(module));
        upstream.AnswerRanges(ZipPath(module));
        HoldZipUntilRangeAnswered(module);

        await AssertServedAndCheckedAheadAsync(module, zip, "used", rangeRequests: 2);

        Assert.Single(await gateway.DecisionsAsync($"?module={module}"));
    }

    /// <summary>The zip pauses just past the threshold until the range request was answered, so the check ahead starts before the zip arrives.</summary>
    private void HoldZipUntilRangeAnswered(string module) =>
        upstream.HoldBodyAfter(ZipPath(module), ZipCheckAhead.Threshold + (1 << 20), upstream.RangeAnswered(ZipPath(module)));

    /// <summary>
    /// GETs the zip: served whole, the upstream asked for its tail <paramref name="rangeRequests"/> times in all, and one
    /// more check ahead counted with <paramref name="result"/>.
    /// </summary>
    private async Task AssertServedAndCheckedAheadAsync(string module, byte[] zip, string result, int rangeRequests)
    {
        var before = await ChecksAheadAsync(result);

        using var response = await gateway.Http.GetAsync(ZipPath(module).TrimStart('/'));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(zip, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(rangeRequests, upstream.RangeRequestCount(ZipPath(module)));
        await Eventually.HoldsAsync(async () => await ChecksAheadAsync(result) == before + 1, $"the metrics count the zip as checked ahead: {result}");
    }

    private static string ZipPath(string module) => GoProxyLayout.RequestPath(module, Version, "zip");

    private byte[] AddLarge(string module, byte[] zip)
    {
        layout.AddRawZip(module, Version, $"module {module}\n", zip, Published);
        return zip;
    }

    /// <summary>The gateway's count of zips checked ahead with <paramref name="result"/> (the meter is the process's, and a scrape is cached briefly: read before, then wait for one more).</summary>
    private async Task<long> ChecksAheadAsync(string result)
    {
        var line = (await gateway.Http.GetStringAsync("metrics")).Split('\n')
            .FirstOrDefault(l => l.StartsWith("securegateway_admission_zip_checks_ahead_total{", StringComparison.Ordinal) && l.Contains($"result=\"{result}\"", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<string?> RecordedZipHashAsync(string module) =>
        (await gateway.DecisionsAsync($"?module={module}"))[0].GetProperty("zipHash").GetString();

    /// <summary>go.mod and LICENSE, then the large file stored as is, so that two contents of one length make zips of one length.</summary>
    private static byte[] LargeZip(string module, byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(archive, $"{module}@{Version}/go.mod", Encoding.UTF8.GetBytes($"module {module}\n"), CompressionLevel.Optimal);
            Add(archive, $"{module}@{Version}/LICENSE", Encoding.UTF8.GetBytes("Permission is hereby granted, free of charge\n"), CompressionLevel.Optimal);
            Add(archive, $"{module}@{Version}/data.bin", content, CompressionLevel.NoCompression);
        }

        return buffer.ToArray();
    }

    private static void Add(ZipArchive archive, string name, byte[] content, CompressionLevel level)
    {
        var entry = archive.CreateEntry(name, level);
        entry.LastWriteTime = Published;
        using var stream = entry.Open();
        stream.Write(content);
    }

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
