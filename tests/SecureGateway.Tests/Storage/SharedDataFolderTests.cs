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
            var folder = (FolderArtefactStore)first.Store;
            var zip = folder.PathOf(StoreArea.Cache, module, ArtefactKind.Zip);
            Directory.CreateDirectory(Path.GetDirectoryName(zip)!);
            File.WriteAllText(zip, "evidence");

            // No current decision admits it: both processes take it out of service at once.
            using var together = new Barrier(placements.Length);
            await Task.WhenAll(placements.Select(placement => Task.Run(async () =>
            {
                together.SignalAndWait();
                await placement.PlaceAsync(module, current: null, CancellationToken.None);
            })));

            if (!File.Exists(folder.PathOf(StoreArea.Held, module, ArtefactKind.Zip)) || await first.Store.ContainsAsync(StoreArea.Cache, module, CancellationToken.None))
            {
                lost.Add(module.Version);
            }
        }

        Assert.True(lost.Count == 0, $"files not in held/ after {lost.Count} of {Attempts} simultaneous moves: {string.Join(", ", lost)}");
    }
}
