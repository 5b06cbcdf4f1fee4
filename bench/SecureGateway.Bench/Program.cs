using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SecureGateway.Bench;
using SecureGateway.Verification.DirHash;

// Helpers for bench/run.sh, which documents the whole benchmark:
//   world DIR [--small-modules K] [--versions V] [--medium N] [--large-mb L] [--warm-up W] [--dependencies D]
//       writes a GOPROXY layout to DIR/up, starts a checksum database holding its records, writes DIR/sumdb
//       (the GOSUMDB value) and serves until SIGTERM or SIGINT
//   h1 ZIP [repeat]
//       the gateway core's h1 hash of ZIP; prints the best time of `repeat` runs in milliseconds
//   licences CORPUS [repeat]
//       classifies every file of the licence corpus (CORPUS/corpus.json, as in the core tests) `repeat` times after one
//       warm-up pass; prints each file's median time and the median, 90th percentile, maximum and mean over the files
switch (args)
{
    case ["world", var dir, .. var rest]:
        return await ServeWorldAsync(dir, WorldOptions.Parse(rest)).ConfigureAwait(false);
    case ["h1", var zip, .. var rest]:
        return HashZip(zip, rest is [var repeat] ? int.Parse(repeat, CultureInfo.InvariantCulture) : 3);
    case ["licences", var corpus, .. var rest]:
        return LicenceBench.Run(corpus, rest is [var times] ? int.Parse(times, CultureInfo.InvariantCulture) : 20);
    default:
        await Console.Error.WriteLineAsync("usage: world DIR [--small-modules K] [--versions V] [--medium N] [--large-mb L] [--warm-up W] [--dependencies D] | h1 ZIP [repeat] | licences CORPUS [repeat]").ConfigureAwait(false);
        return 2;
}

static async Task<int> ServeWorldAsync(string dir, WorldOptions options)
{
    var clock = Stopwatch.StartNew();
    var modules = BenchWorld.Write(Path.Combine(dir, "up"), options);
    await using var sumDb = SecureGateway.Tests.ChecksumDb.TestChecksumDatabase.Start("sum.bench.example");
    sumDb.AddFromGoSums(modules.Select(m => (m.Path, m.Version, m.ZipHash, m.GoModHash)));
    // The tree is bigger than the world so that proofs have the depth of a real log's.
    sumDb.AddFiller(100_000);
    await File.WriteAllTextAsync(Path.Combine(dir, "sumdb"), sumDb.GoSumDb).ConfigureAwait(false);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"world: {modules.Count} versions in {clock.Elapsed.TotalSeconds:F1} s; checksum database {sumDb.Url} ({sumDb.Size} records)"));

    using var stop = new CancellationTokenSource();
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
    }
    catch (OperationCanceledException)
    {
        // the signal to stop
    }
    return 0;

    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        stop.Cancel();
    }
}

static int HashZip(string zip, int repeat)
{
    var best = TimeSpan.MaxValue;
    for (var i = 0; i < repeat; i++)
    {
        var clock = Stopwatch.StartNew();
        Hash1.OfZip(zip);
        best = clock.Elapsed < best ? clock.Elapsed : best;
    }
    Console.WriteLine(best.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture));
    return 0;
}
