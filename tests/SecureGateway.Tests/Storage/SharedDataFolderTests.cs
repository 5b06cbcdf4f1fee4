using SecureGateway.Admission;
using SecureGateway.Modules;
using SecureGateway.Storage;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Storage;

/// <summary>
/// Gateway processes sharing one data folder each place a version's files when they hear its decision, so two of them
/// move the same version at nearly the same moment. Two <see cref="GatewayStorage"/> instances on one folder stand for
/// two processes (each has its own in-process locks, as separate processes do).
/// </summary>
public sealed class SharedDataFolderTests
{
    private const int Attempts = 200;

    [Fact]
    public async Task Place_TwoProcessesMoveTheSameRevokedVersionAtOnce_FilesEndInHeldNotLost()
    {
        var dataDirectory = TempDirectory.Create("shared-data");
        using var first = new GatewayStorage(dataDirectory);
        using var second = new GatewayStorage(dataDirectory);
        var placements = new[] { new ArtefactPlacement(first), new ArtefactPlacement(second) };
        var lost = new List<string>();

        for (var i = 0; i < Attempts; i++)
        {
            var module = new ModuleVersion("example.com/shared", $"v1.0.{i}");
            Directory.CreateDirectory(first.Cache.DirectoryOf(module));
            File.WriteAllText(first.Cache.PathOf(module, ArtefactKind.Zip), "evidence");

            // No current decision admits it: both processes take it out of service at once.
            using var together = new Barrier(placements.Length);
            await Task.WhenAll(placements.Select(placement => Task.Run(() =>
            {
                together.SignalAndWait();
                placement.Place(module, current: null);
            })));

            if (!File.Exists(first.Held.PathOf(module, ArtefactKind.Zip)) || first.Cache.Contains(module))
            {
                lost.Add(module.Version);
            }
        }

        Assert.True(lost.Count == 0, $"files not in held/ after {lost.Count} of {Attempts} simultaneous moves: {string.Join(", ", lost)}");
    }
}
