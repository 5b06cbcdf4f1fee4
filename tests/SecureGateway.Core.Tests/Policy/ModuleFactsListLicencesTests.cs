using SecureGateway.Policy;

namespace SecureGateway.Core.Tests.Policy;

public sealed class ModuleFactsListLicencesTests
{
    [Fact]
    public void ListLicences_UpToTheLimit_AllListed()
    {
        var found = Enumerable.Range(0, ModuleFacts.MaxListedLicences).Select(i => new DetectedLicence("MIT", $"d{i}/LICENSE", 0.99)).ToList();

        var (listed, omitted) = ModuleFacts.ListLicences(found);

        Assert.Equal(found, listed);
        Assert.Equal(0, omitted);
    }

    [Fact]
    public void ListLicences_HostileZipWithThousandsOfLicenceFiles_EverySpdxIdKeptTheRestCounted()
    {
        var found = Enumerable.Range(0, 5000).Select(i => new DetectedLicence("MIT", $"d{i}/LICENSE", 0.99))
            .Append(new DetectedLicence("GPL-3.0-only", "deep/inside/COPYING", 0.98))
            .Append(new DetectedLicence("unknown", "x/LICENSE", 0.2))
            .ToList();

        var (listed, omitted) = ModuleFacts.ListLicences(found);

        Assert.Equal(["MIT", "GPL-3.0-only", "unknown"], listed.Select(l => l.Spdx));
        Assert.Equal("d0/LICENSE", listed[0].File);
        Assert.Equal(4999, omitted);
    }
}
