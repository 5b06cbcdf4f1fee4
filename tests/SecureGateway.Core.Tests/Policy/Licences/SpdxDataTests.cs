using System.Text.Json;
using SecureGateway.Policy.Licences;

namespace SecureGateway.Core.Tests.Policy.Licences;

// The embedded data is what tools/spdx/generate.mjs writes from the pinned package.
public sealed class SpdxDataTests
{
    internal static readonly string RepositoryRoot = FindRoot();

    [Fact]
    public void ReadEmbedded_Source_PinnedPackageVersion()
    {
        using JsonDocument package = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "tools/spdx/package.json")));
        string pinned = package.RootElement.GetProperty("devDependencies").GetProperty("spdx-license-list").GetString()!;

        string tag = package.RootElement.GetProperty("config").GetProperty("licenseListXml").GetProperty("tag").GetString()!;
        Assert.Equal($"spdx-license-list@{pinned} + license-list-XML@{tag}", SpdxCorpus.ReadEmbedded().Source);
    }

    [Fact]
    public void DataFile_Size_UnderTwoMegabytes() =>
        Assert.InRange(new FileInfo(Path.Combine(RepositoryRoot, "src/SecureGateway.Core/Policy/Licences/spdx-licences.json.gz")).Length, 1, 2 << 20);

    // Deprecated ids ("GPL-2.0", "GPL-2.0+") are left out; shared texts are reported as "-only" with an "-or-later".
    [Theory]
    [InlineData("GPL-2.0-only", "GPL-2.0-or-later")]
    [InlineData("GPL-3.0-only", "GPL-3.0-or-later")]
    [InlineData("LGPL-2.1-only", "LGPL-2.1-or-later")]
    [InlineData("LGPL-3.0-only", "LGPL-3.0-or-later")]
    [InlineData("AGPL-3.0-only", "AGPL-3.0-or-later")]
    [InlineData("MIT", null)]
    public void ReadEmbedded_SharedText_OnlyWithOrLater(string id, string? orLater)
    {
        List<SpdxEntry> entries = SpdxCorpus.ReadEmbedded().Entries.Where(e => e.Kind == SpdxKind.Text).ToList();

        Assert.All(entries.Where(e => e.Id == id), e => Assert.Equal(orLater, e.OrLater));
        Assert.DoesNotContain(entries, e => e.Id is "GPL-2.0" or "GPL-2.0+" or "GPL-3.0-or-later" or "MPL-2.0-no-copyleft-exception");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SecureGateway.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("repository root (SecureGateway.sln) not found");
    }
}
