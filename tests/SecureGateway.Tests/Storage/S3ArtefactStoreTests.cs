using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Time.Testing;
using SecureGateway.Storage;

namespace SecureGateway.Tests.Storage;

/// <summary>The store compliance suite against a real S3 server: Ceph's RADOS Gateway on loopback (<see cref="CephS3Server"/>).</summary>
public sealed class S3ArtefactStoreTests(CephS3Server server) : ArtefactStoreCompliance, IClassFixture<CephS3Server>
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);

    protected override Task<IArtefactStore> CreateStoreAsync() =>
        Task.FromResult<IArtefactStore>(new S3ArtefactStore(server.Options($"test-{Guid.NewGuid():N}/") with { MultipartThresholdBytes = 8 << 20 }, time));

    protected override Task AfterLeftoverAgeAsync()
    {
        time.Advance(S3ArtefactStore.LeftoverAge + TimeSpan.FromMinutes(1));
        return Task.CompletedTask;
    }

    /// <summary>On S3 a 48 MB upload in parts cannot finish in 100 ms: the cut really happens, and what it left is removed once old enough.</summary>
    [Fact]
    public async Task Save_CutOffHalfWay_LeftoversRemovedFromTheBucket()
    {
        var prefix = $"test-{Guid.NewGuid():N}/";
        var store = new S3ArtefactStore(server.Options(prefix) with { MultipartThresholdBytes = 8 << 20 }, time);
        var staging = new StagingArea(Infrastructure.TempDirectory.Create("store-staging"));
        var staged = staging.Create();
        File.WriteAllText(staged.PathOf(ArtefactKind.Info), "{}");
        File.WriteAllText(staged.PathOf(ArtefactKind.Mod), "module example.com/alpha\n");
        File.WriteAllBytes(staged.PathOf(ArtefactKind.Zip), System.Security.Cryptography.RandomNumberGenerator.GetBytes(48 << 20));
        var version = new SecureGateway.Modules.ModuleVersion("example.com/alpha", "v1.0.0");

        using var cut = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(StoreArea.Cache, version, staged, cut.Token));
        var before = await server.KeysAsync(prefix);
        var removedWhileYoung = await store.RemoveLeftoversAsync(default);
        time.Advance(S3ArtefactStore.LeftoverAge + TimeSpan.FromMinutes(1));
        var removed = await store.RemoveLeftoversAsync(default);
        var after = await server.KeysAsync(prefix);

        Assert.False(await store.ContainsAsync(StoreArea.Cache, version, default));
        Assert.NotEmpty(before);
        Assert.Empty(removedWhileYoung); // another replica's upload in progress is never taken for a leftover
        Assert.NotEmpty(removed);
        Assert.Empty(after);
    }
}
