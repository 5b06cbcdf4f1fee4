using System.Security.Cryptography;
using System.Text;
using SecureGateway.Modules;
using SecureGateway.Storage;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Storage;

/// <summary>
/// What every <see cref="IArtefactStore"/> must do, run against each implementation: the local folder and a real S3
/// server. Each test works in a store of its own (a fresh folder, or a fresh key prefix in the bucket).
/// </summary>
public abstract class ArtefactStoreCompliance : IDisposable
{
    private static readonly ModuleVersion Alpha = new("example.com/alpha", "v1.0.0");

    private readonly StagingArea staging = new(TempDirectory.Create("store-staging"));

    public void Dispose()
    {
        staging.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A new, empty store.</summary>
    protected abstract Task<IArtefactStore> CreateStoreAsync();

    [Fact]
    public async Task Save_ThenEachArtefactReadsBackWhole()
    {
        var store = await CreateStoreAsync();
        var content = Content("alpha");
        await store.SaveAsync(StoreArea.Cache, Alpha, Stage(content), default);

        Assert.True(await store.ContainsAsync(StoreArea.Cache, Alpha, default));
        Assert.False(await store.ContainsAsync(StoreArea.Quarantine, Alpha, default));
        foreach (var (kind, bytes) in content)
        {
            Assert.Equal(bytes, await ReadAsync(store, StoreArea.Cache, Alpha, kind));
        }
    }

    [Fact]
    public async Task Missing_NotContainedOpensNullDeletesFalseMovesFalse()
    {
        var store = await CreateStoreAsync();

        Assert.False(await store.ContainsAsync(StoreArea.Cache, Alpha, default));
        Assert.Null(await store.OpenAsync(StoreArea.Cache, Alpha, ArtefactKind.Zip, default));
        Assert.False(await store.DeleteAsync(StoreArea.Cache, Alpha, default));
        Assert.False(await store.MoveAsync(Alpha, StoreArea.Cache, StoreArea.Held, default));
        Assert.Empty(await store.VersionsAsync(StoreArea.Cache, Alpha.Path, default));
    }

    [Fact]
    public async Task Save_AgainReplacesTheWholeVersion()
    {
        var store = await CreateStoreAsync();
        await store.SaveAsync(StoreArea.Cache, Alpha, Stage(Content("first")), default);
        var second = Content("second, longer than the first");
        await store.SaveAsync(StoreArea.Cache, Alpha, Stage(second), default);

        foreach (var (kind, bytes) in second)
        {
            Assert.Equal(bytes, await ReadAsync(store, StoreArea.Cache, Alpha, kind));
        }
    }

    [Fact]
    public async Task Save_IncompleteStaging_RefusedAndNothingVisible()
    {
        var store = await CreateStoreAsync();
        var staged = Stage(Content("no zip"));
        File.Delete(staged.PathOf(ArtefactKind.Zip));

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SaveAsync(StoreArea.Cache, Alpha, staged, default));

        Assert.False(await store.ContainsAsync(StoreArea.Cache, Alpha, default));
        Assert.Null(await store.OpenAsync(StoreArea.Cache, Alpha, ArtefactKind.Info, default));
    }

    [Fact]
    public async Task Move_BetweenAreas_GoneFromOneWholeInTheOther()
    {
        var store = await CreateStoreAsync();
        var content = Content("moved");
        await store.SaveAsync(StoreArea.Quarantine, Alpha, Stage(content), default);

        Assert.True(await store.MoveAsync(Alpha, StoreArea.Quarantine, StoreArea.Cache, default));
        Assert.False(await store.ContainsAsync(StoreArea.Quarantine, Alpha, default));
        Assert.True(await store.MoveAsync(Alpha, StoreArea.Cache, StoreArea.Held, default));

        Assert.False(await store.ContainsAsync(StoreArea.Cache, Alpha, default));
        foreach (var (kind, bytes) in content)
        {
            Assert.Equal(bytes, await ReadAsync(store, StoreArea.Held, Alpha, kind));
        }
    }

    [Fact]
    public async Task Move_TargetAlreadyHoldsTheVersion_TargetKeptSourceRemoved()
    {
        var store = await CreateStoreAsync();
        var kept = Content("already held");
        await store.SaveAsync(StoreArea.Held, Alpha, Stage(kept), default);
        await store.SaveAsync(StoreArea.Cache, Alpha, Stage(Content("in the cache")), default);

        Assert.True(await store.MoveAsync(Alpha, StoreArea.Cache, StoreArea.Held, default));

        Assert.False(await store.ContainsAsync(StoreArea.Cache, Alpha, default));
        Assert.Equal(kept[ArtefactKind.Zip], await ReadAsync(store, StoreArea.Held, Alpha, ArtefactKind.Zip));
    }

    [Fact]
    public async Task Delete_RemovesTheVersionOnly()
    {
        var store = await CreateStoreAsync();
        var beta = Alpha with { Version = "v1.0.1" };
        await store.SaveAsync(StoreArea.Cache, Alpha, Stage(Content("a")), default);
        await store.SaveAsync(StoreArea.Cache, beta, Stage(Content("b")), default);

        Assert.True(await store.DeleteAsync(StoreArea.Cache, Alpha, default));

        Assert.False(await store.ContainsAsync(StoreArea.Cache, Alpha, default));
        Assert.Null(await store.OpenAsync(StoreArea.Cache, Alpha, ArtefactKind.Mod, default));
        Assert.True(await store.ContainsAsync(StoreArea.Cache, beta, default));
        Assert.False(await store.DeleteAsync(StoreArea.Cache, Alpha, default));
    }

    /// <summary>Keys that are prefixes of others (a version, a module path, a case) never answer for each other.</summary>
    [Fact]
    public async Task Listing_VersionsAndPathsThatArePrefixesOfOthers_KeptApart()
    {
        var store = await CreateStoreAsync();
        var versions = new[]
        {
            new ModuleVersion("example.com/lib", "v1.2.3-pre"), new ModuleVersion("example.com/lib", "v1.2.3-pre.1"),
            new ModuleVersion("example.com/lib", "v1.2.3"), new ModuleVersion("example.com/lib/sub", "v1.2.3"),
            new ModuleVersion("example.com/library", "v1.2.3"), new ModuleVersion("example.com/Lib", "v1.2.3"),
        };
        foreach (var version in versions)
        {
            await store.SaveAsync(StoreArea.Cache, version, Stage(Content(version.ToString())), default);
        }

        Assert.True(await store.DeleteAsync(StoreArea.Cache, versions[0], default));

        Assert.Equal(["v1.2.3", "v1.2.3-pre.1"], (await store.VersionsAsync(StoreArea.Cache, "example.com/lib", default)).Order(StringComparer.Ordinal));
        Assert.Equal(["v1.2.3"], await store.VersionsAsync(StoreArea.Cache, "example.com/Lib", default));
        Assert.False(await store.ContainsAsync(StoreArea.Cache, versions[0], default));
        foreach (var version in versions.Skip(1))
        {
            Assert.Equal(Content(version.ToString())[ArtefactKind.Zip], await ReadAsync(store, StoreArea.Cache, version, ArtefactKind.Zip));
        }

        var all = new List<ModuleVersion>();
        await foreach (var version in store.AllAsync(StoreArea.Cache, default))
        {
            all.Add(version);
        }

        Assert.Equal(versions.Skip(1).Select(v => v.ToString()).Order(StringComparer.Ordinal), all.Select(v => v.ToString()).Order(StringComparer.Ordinal));
    }

    /// <summary>Writers of the same version at once: one of them wins whole, never a mix of their files.</summary>
    [Fact]
    public async Task Save_ConcurrentWritersOfOneVersion_OneWriterWinsWhole()
    {
        var store = await CreateStoreAsync();
        var writers = Enumerable.Range(0, 6).Select(i => Content($"writer {i}")).ToList();
        var staged = writers.Select(Stage).ToList();

        await Task.WhenAll(staged.Select(s => Task.Run(() => store.SaveAsync(StoreArea.Cache, Alpha, s, default))));

        var info = await ReadAsync(store, StoreArea.Cache, Alpha, ArtefactKind.Info);
        var winner = Assert.Single(writers, w => w[ArtefactKind.Info].SequenceEqual(info));
        Assert.Equal(winner[ArtefactKind.Mod], await ReadAsync(store, StoreArea.Cache, Alpha, ArtefactKind.Mod));
        Assert.Equal(winner[ArtefactKind.Zip], await ReadAsync(store, StoreArea.Cache, Alpha, ArtefactKind.Zip));
    }

    /// <summary>
    /// A save cut off half-way (cancelled while the zip is being written) leaves nothing visible, the version already
    /// there stays whole, and what it left is removed as a leftover.
    /// </summary>
    [Fact]
    public async Task Save_CutOffHalfWay_NothingVisibleAndEarlierVersionWhole()
    {
        var store = await CreateStoreAsync();
        var earlier = Content("earlier");
        await store.SaveAsync(StoreArea.Cache, Alpha, Stage(earlier), default);
        var large = Content("large");
        large[ArtefactKind.Zip] = RandomNumberGenerator.GetBytes(48 << 20);
        var otherVersion = Alpha with { Version = "v2.0.0" };

        using var cut = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var replaced = await Record.ExceptionAsync(() => store.SaveAsync(StoreArea.Cache, Alpha, Stage(large), cut.Token)) is null;
        using var cutNew = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var created = await Record.ExceptionAsync(() => store.SaveAsync(StoreArea.Cache, otherVersion, Stage(large), cutNew.Token)) is null;

        // Whole or not at all: the earlier version, or the new one complete; a new version complete, or absent.
        foreach (var (kind, bytes) in replaced ? large : earlier)
        {
            Assert.Equal(bytes, await ReadAsync(store, StoreArea.Cache, Alpha, kind));
        }

        Assert.Equal(created, await store.ContainsAsync(StoreArea.Cache, otherVersion, default));
        if (!created)
        {
            Assert.Null(await store.OpenAsync(StoreArea.Cache, otherVersion, ArtefactKind.Info, default));
        }

        await AfterLeftoverAgeAsync();
        await store.RemoveLeftoversAsync(default);
        Assert.Equal((replaced ? large : earlier)[ArtefactKind.Zip], await ReadAsync(store, StoreArea.Cache, Alpha, ArtefactKind.Zip));
    }

    /// <summary>A large zip goes through whole (in parts, for S3) and comes back byte for byte.</summary>
    [Fact]
    public async Task Save_LargeZip_ReadBackByteForByte()
    {
        var store = await CreateStoreAsync();
        var content = Content("large");
        content[ArtefactKind.Zip] = RandomNumberGenerator.GetBytes(40 << 20);
        await store.SaveAsync(StoreArea.Cache, Alpha, Stage(content), default);

        await using var stored = await store.OpenAsync(StoreArea.Cache, Alpha, ArtefactKind.Zip, default);
        Assert.NotNull(stored);
        Assert.Equal(content[ArtefactKind.Zip].Length, stored.Length);
        Assert.Equal(SHA256.HashData(content[ArtefactKind.Zip]), await SHA256.HashDataAsync(stored.Content));
    }

    /// <summary>Lets a store's leftovers (writes no longer in progress) become old enough to remove.</summary>
    protected virtual Task AfterLeftoverAgeAsync() => Task.CompletedTask;

    private static Dictionary<ArtefactKind, byte[]> Content(string label) => new()
    {
        [ArtefactKind.Info] = Encoding.UTF8.GetBytes($"{{\"Version\":\"v1.0.0\",\"Label\":\"{label}\"}}"),
        [ArtefactKind.Mod] = Encoding.UTF8.GetBytes($"module example.com/alpha // {label}\n"),
        [ArtefactKind.Zip] = Encoding.UTF8.GetBytes($"PK zip of {label}"),
    };

    private StagedModule Stage(Dictionary<ArtefactKind, byte[]> content)
    {
        var staged = staging.Create();
        foreach (var (kind, bytes) in content)
        {
            File.WriteAllBytes(staged.PathOf(kind), bytes);
        }

        return staged;
    }

    private static async Task<byte[]> ReadAsync(IArtefactStore store, StoreArea area, ModuleVersion version, ArtefactKind kind)
    {
        await using var stored = await store.OpenAsync(area, version, kind, default);
        Assert.NotNull(stored);
        using var copy = new MemoryStream();
        await stored.Content.CopyToAsync(copy);
        Assert.Equal(stored.Length, copy.Length);
        return copy.ToArray();
    }
}

public sealed class FolderArtefactStoreTests : ArtefactStoreCompliance
{
    protected override Task<IArtefactStore> CreateStoreAsync() => Task.FromResult<IArtefactStore>(new FolderArtefactStore(TempDirectory.Create("store")));
}
