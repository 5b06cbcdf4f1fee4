using System.Globalization;
using System.IO.Compression;
using System.Text;
using SecureGateway.Tests.GoTooling;
using SecureGateway.Verification.DirHash;

namespace SecureGateway.Bench;

/// <summary>How many module versions of each size the world holds.</summary>
internal sealed record WorldOptions(int SmallModules, int Versions, int Medium, int LargeMegabytes, int WarmUp, int Dependencies)
{
    public static WorldOptions Parse(IReadOnlyList<string> args)
    {
        var options = new WorldOptions(SmallModules: 12, Versions: 25, Medium: 5, LargeMegabytes: 300, WarmUp: 0, Dependencies: 0);
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--small-modules" => options with { SmallModules = value },
                "--versions" => options with { Versions = value },
                "--medium" => options with { Medium = value },
                "--large-mb" => options with { LargeMegabytes = value },
                "--warm-up" => options with { WarmUp = value },
                "--dependencies" => options with { Dependencies = value },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return options;
    }
}

/// <summary>A module version written to the world, with its go.sum hashes.</summary>
internal sealed record WorldModule(string Path, string Version, string ZipHash, string GoModHash);

/// <summary>
/// The upstream of the benchmark: <c>bench.example/small{k}</c> (v1.0.0… each, ≈20 KB zips),
/// <c>bench.example/medium</c> (≈1 MB zips), <c>bench.example/large</c> v1.0.0 (one stored file of the given size) and
/// <c>bench.example/warmup</c> (small versions a gateway admits before it is timed, as a long-running one would have) and
/// <c>bench.example/dep{k}</c> (small modules a project requires, one version of each per timed run).
/// Every module carries an MIT licence, so the licence rule admits it as it would a typical dependency.
/// Contents come from a fixed seed and barely compress, so zip sizes are what the names say.
/// </summary>
internal static class BenchWorld
{
    private static readonly DateTimeOffset Published = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const string MitLicence = """
        MIT License

        Copyright (c) 2020 Bench Example

        Permission is hereby granted, free of charge, to any person obtaining a copy
        of this software and associated documentation files (the "Software"), to deal
        in the Software without restriction, including without limitation the rights
        to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
        copies of the Software, and to permit persons to whom the Software is
        furnished to do so, subject to the following conditions:

        The above copyright notice and this permission notice shall be included in all
        copies or substantial portions of the Software.

        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
        OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
        SOFTWARE.

        """;

    public static IReadOnlyList<WorldModule> Write(string root, WorldOptions options)
    {
        var layout = new GoProxyLayout(root);
        var random = new Random(14);
        var modules = new List<WorldModule>();
        for (var k = 0; k < options.SmallModules; k++)
        {
            for (var v = 0; v < options.Versions; v++)
            {
                modules.Add(AddSourceModule(layout, random, $"bench.example/small{k}", $"v1.0.{v}", 20_000));
            }

            if (options.Versions > 0)
            {
                AddLatest(layout, $"bench.example/small{k}", $"v1.0.{options.Versions - 1}");
            }
        }
        for (var v = 0; v < options.Medium; v++)
        {
            modules.Add(AddSourceModule(layout, random, "bench.example/medium", $"v1.0.{v}", 1_000_000));
        }
        for (var k = 1; k <= options.Dependencies; k++)
        {
            for (var v = 0; v < options.Versions; v++)
            {
                modules.Add(AddSourceModule(layout, random, $"bench.example/dep{k}", $"v1.0.{v}", 20_000));
            }
        }
        for (var v = 0; v < options.WarmUp; v++)
        {
            modules.Add(AddSourceModule(layout, random, "bench.example/warmup", $"v1.0.{v}", 20_000));
        }
        if (options.LargeMegabytes > 0)
        {
            modules.Add(AddLargeModule(layout, random, "bench.example/large", "v1.0.0", options.LargeMegabytes));
        }
        return modules;
    }

    // `@latest` as proxy.golang.org answers it: the .info of the module's highest release.
    private static void AddLatest(GoProxyLayout layout, string path, string version)
    {
        var info = layout.FilePath(path, version, "info");
        File.Copy(info, Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(info)!)!, "@latest"), overwrite: true);
    }

    // A Go file holding `randomBytes` bytes as a base64 constant: about 4/3 of that deflated to about the byte count.
    private static WorldModule AddSourceModule(GoProxyLayout layout, Random random, string path, string version, int randomBytes)
    {
        var data = new byte[randomBytes];
        random.NextBytes(data);
        var goMod = GoMod(path);
        var source = $"package bench\n\nconst Data = \"{Convert.ToBase64String(data)}\"\n";
        layout.AddVersion(path, version, goMod,
            GoProxyLayout.ModuleFiles(path, version, ("go.mod", goMod), ("LICENSE", MitLicence), ("data.go", source)), Published);
        return Hashed(layout, path, version, goMod);
    }

    // Streamed to disk (stored, not deflated) so that the world needs no memory of the zip's size.
    private static WorldModule AddLargeModule(GoProxyLayout layout, Random random, string path, string version, int megabytes)
    {
        var goMod = GoMod(path);
        layout.AddRawZip(path, version, goMod, [], Published);
        using (var file = File.Create(layout.FilePath(path, version, "zip")))
        using (var archive = new ZipArchive(file, ZipArchiveMode.Create))
        {
            foreach (var (name, text) in new[] { ("go.mod", goMod), ("LICENSE", MitLicence) })
            {
                using var entry = archive.CreateEntry($"{path}@{version}/{name}").Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }
            using var blob = archive.CreateEntry($"{path}@{version}/blob.bin", CompressionLevel.NoCompression).Open();
            var chunk = new byte[1 << 20];
            for (var i = 0; i < megabytes; i++)
            {
                random.NextBytes(chunk);
                blob.Write(chunk);
            }
        }
        return Hashed(layout, path, version, goMod);
    }

    private static string GoMod(string path) => $"module {path}\n\ngo 1.19\n";

    private static WorldModule Hashed(GoProxyLayout layout, string path, string version, string goMod) =>
        new(path, version, Hash1.OfZip(layout.FilePath(path, version, "zip")), Hash1.OfGoMod(Encoding.UTF8.GetBytes(goMod)));
}
