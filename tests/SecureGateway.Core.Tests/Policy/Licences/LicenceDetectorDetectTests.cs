using System.IO.Compression;
using System.Text;
using SecureGateway.Core.Tests.Verification;
using SecureGateway.Policy.Licences;

namespace SecureGateway.Core.Tests.Policy.Licences;

public sealed class LicenceDetectorDetectTests : IDisposable
{
    private const string Prefix = "example.com/m@v1.2.3/";

    private readonly TempFiles files = new();

    public void Dispose() => files.Dispose();

    [Fact]
    public void Detect_RootMitAndSubGpl_TwoMatchesOrderedByPath()
    {
        string zip = files.Write(TestZip.Build(
        [
            (Prefix + "sub/COPYING", File.ReadAllText("/usr/share/common-licenses/GPL-3")),
            (Prefix + "go.mod", "module example.com/m\n"),
            (Prefix + "LICENSE", Mit("2024 Someone")),
            (Prefix + "README.md", "Licensed under the MIT License.\n"),
            (Prefix + "vendor/example.org/v/LICENSE", File.ReadAllText("/usr/share/common-licenses/Apache-2.0")),
            (Prefix + "sub/LICENSE.go", "package sub\n"),
        ]));

        IReadOnlyList<LicenceMatch> matches = LicenceDetector.Default.Detect(zip, Prefix);

        Assert.Collection(matches,
            m => Assert.Equal(("MIT", "LICENSE", 1.0), (m.Spdx, m.File, m.Confidence)),
            m => Assert.Equal(("GPL-3.0-only", "sub/COPYING"), (m.Spdx, m.File)));
        Assert.InRange(matches[1].Confidence, 0.98, 1.0);
    }

    [Fact]
    public void Detect_ManyLicenceFiles_OrdinalPathOrderWithUnknowns()
    {
        string zip = files.Write(TestZip.Build(
        [
            (Prefix + "b/LICENSE.md", "See https://example.com/licence\n"),
            (Prefix + "LICENSE-APACHE", File.ReadAllText("/usr/share/common-licenses/Apache-2.0")),
            (Prefix + "LICENSE-MIT", Mit("2020 A. Person")),
            (Prefix + "a/UNLICENSE", LicenceDetectorTests.SpdxText("Unlicense")),
            (Prefix + "vendor/LICENSE", Mit("2021 Vendor Package")),
        ]));

        IReadOnlyList<LicenceMatch> matches = LicenceDetector.Default.Detect(zip, Prefix);

        Assert.Equal(
            [("LICENSE-APACHE", "Apache-2.0"), ("LICENSE-MIT", "MIT"), ("a/UNLICENSE", "Unlicense"), ("b/LICENSE.md", "unknown"), ("vendor/LICENSE", "MIT")],
            matches.Select(m => (m.File, m.Spdx)));
    }

    [Fact]
    public void Detect_NoLicenceFile_Empty()
    {
        string zip = files.Write(TestZip.Build([(Prefix + "go.mod", "module example.com/m\n"), (Prefix + "m.go", "package m\n")]));

        Assert.Empty(LicenceDetector.Default.Detect(zip, Prefix));
    }

    // Entries outside the module's directory are not the module's (pkgsite logs and skips them).
    [Fact]
    public void Detect_EntryOutsidePrefix_Ignored()
    {
        string zip = files.Write(TestZip.Build(
        [
            ("example.com/other@v1.0.0/LICENSE", Mit("2024 Other")),
            ("example.com/m@v1.2.30/LICENSE", Mit("2024 Other")),
            (Prefix + "COPYING", Mit("2024 Someone")),
        ]));

        Assert.Equal(["COPYING"], LicenceDetector.Default.Detect(zip, Prefix).Select(m => m.File));
    }

    [Fact]
    public void Detect_PrefixWithoutSlash_SameResult()
    {
        string zip = files.Write(TestZip.Build([(Prefix + "LICENSE", Mit("2024 Someone"))]));

        Assert.Equal(
            LicenceDetector.Default.Detect(zip, Prefix).Select(m => (m.Spdx, m.File, m.Confidence)),
            LicenceDetector.Default.Detect(zip, Prefix.TrimEnd('/')).Select(m => (m.Spdx, m.File, m.Confidence)));
    }

    // Go's MaxLICENSE is 16 MiB; a larger file is not read, and counts as an unknown licence.
    [Fact]
    public void Detect_LicenceOverMaxLicenceSize_UnknownWithZeroConfidence()
    {
        byte[] huge = new byte[GoMaxLicence + 1];
        Encoding.ASCII.GetBytes(Mit("2024 Someone")).CopyTo(huge, 0);
        string zip = files.Write(TestZip.Build([(Prefix + "LICENSE", huge)], CompressionLevel.Fastest));

        Assert.Equal([("unknown", "LICENSE", 0.0)], LicenceDetector.Default.Detect(zip, Prefix).Select(m => (m.Spdx, m.File, m.Confidence)));
    }

    // Searching a file costs about one alignment per text found in it: files beyond a size real licences never reach,
    // and licence files beyond a budget per module, are not searched (unknown, so the licence rule holds the module).
    [Fact]
    public void Detect_LicenceAtMaxSearchedSize_Classified()
    {
        string zip = files.Write(TestZip.Build([(Prefix + "LICENSE", Padded(LicenceDetector.MaxSearchedSize))], CompressionLevel.Fastest));

        Assert.Equal("MIT", Assert.Single(LicenceDetector.Default.Detect(zip, Prefix)).Spdx);
    }

    [Fact]
    public void Detect_LicenceOverMaxSearchedSize_UnknownNotSearched()
    {
        string zip = files.Write(TestZip.Build([(Prefix + "LICENSE", Padded(LicenceDetector.MaxSearchedSize + 1))], CompressionLevel.Fastest));

        LicenceMatch match = Assert.Single(LicenceDetector.Default.Detect(zip, Prefix));
        Assert.Equal(("unknown", 0.0), (match.Spdx, match.Confidence));
        Assert.StartsWith("not searched: ", match.Unexplained, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_LicenceFilesBeyondTheModuleBudget_Unknown()
    {
        byte[] mib = Padded(1 << 20);
        string zip = files.Write(TestZip.Build([(Prefix + "LICENSE", mib), (Prefix + "a/LICENSE", mib), (Prefix + "b/LICENSE", mib)], CompressionLevel.Fastest));

        Assert.Equal(
            [("LICENSE", "MIT"), ("a/LICENSE", "MIT"), ("b/LICENSE", "unknown")],
            LicenceDetector.Default.Detect(zip, Prefix).Select(m => (m.File, m.Spdx)));
    }

    // A file too large to search is sized, not read: it takes nothing from the budget of the files after it.
    [Fact]
    public void Detect_LicenceTooLargeToSearch_UnknownAndNotCountedInTheModuleBudget()
    {
        byte[] mib = Padded(1 << 20);
        string zip = files.Write(TestZip.Build(
            [(Prefix + "LICENSE", Padded((1 << 20) + (1 << 19))), (Prefix + "a/LICENSE", mib), (Prefix + "b/LICENSE", mib)], CompressionLevel.Fastest));

        var found = LicenceDetector.Default.Detect(zip, Prefix);

        Assert.Equal([("LICENSE", "unknown"), ("a/LICENSE", "MIT"), ("b/LICENSE", "MIT")], found.Select(m => (m.File, m.Spdx)));
        Assert.Equal($"not searched: {(1 << 20) + (1 << 19)} bytes, more than {LicenceDetector.MaxSearchedSize}", found[0].Unexplained);
    }

    // Go's modzip MaxLICENSE: the go command refuses a module whose LICENSE is larger.
    private const int GoMaxLicence = 16 << 20;

    // The MIT text followed by spaces up to the given size.
    private static byte[] Padded(int size)
    {
        byte[] padded = new byte[size];
        padded.AsSpan().Fill((byte)' ');
        Encoding.ASCII.GetBytes(Mit("2024 Someone")).CopyTo(padded, 0);
        return padded;
    }

    private static string Mit(string holder) =>
        LicenceDetectorTests.SpdxText("MIT").Replace("<year> <copyright holders>", holder, StringComparison.Ordinal);
}
