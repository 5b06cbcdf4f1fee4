using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SecureGateway.Policy.Licences;

namespace SecureGateway.Bench;

/// <summary>
/// Licence classification time per file over the corpus of real licence files the core tests use, and what each file was
/// found to hold: the search a file never seen before costs (a file seen before is answered by the SHA-256 of its bytes).
/// </summary>
internal static class LicenceBench
{
    public static int Run(string corpus, int repeat)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(corpus, "corpus.json")));
        var files = manifest.RootElement.GetProperty("cases").EnumerateArray()
            .SelectMany(c => c.GetProperty("files").EnumerateObject().Select(f => Path.Combine(corpus, c.GetProperty("name").GetString()!, f.Name)))
            .Select(path => (Path: path, Bytes: File.ReadAllBytes(path)))
            .ToList();
        foreach (var (path, bytes) in files)
        {
            LicenceDetector.Default.Search(path, bytes);
        }

        var medians = new List<double>();
        foreach (var (path, bytes) in files)
        {
            var times = new double[repeat];
            for (int i = 0; i < repeat; i++)
            {
                long start = Stopwatch.GetTimestamp();
                LicenceDetector.Default.Search(path, bytes);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            medians.Add(times[repeat / 2]);
            LicenceMatch match = LicenceDetector.Default.Classify(path, bytes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{times[repeat / 2],8:F2} ms  {bytes.Length,7} B  {Path.GetRelativePath(corpus, path)}: {match.Spdx} ({match.Confidence}, {match.UnexplainedWords} words unexplained)"));
        }
        medians.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"files {medians.Count}: p50 {medians[medians.Count / 2]:F2} ms, p90 {medians[(int)(medians.Count * 0.9)]:F2} ms, max {medians[^1]:F2} ms, mean {medians.Average():F2} ms"));
        return 0;
    }
}
