using SecureGateway.Modules;
using SecureGateway.Storage;

namespace SecureGateway.Tests.Storage;

public sealed class HotArtefactsTests
{
    private static readonly ModuleVersion Module = new("example.com/m", "v1.0.0");

    [Fact]
    public void Get_OtherDecisionTag_Nothing()
    {
        var hot = new HotArtefacts(1 << 20);
        hot.Put(Module, ArtefactKind.Zip, new(5, [1, 2, 3], null));

        Assert.Equal([1, 2, 3], hot.Get(Module, ArtefactKind.Zip, 5)?.Bytes);
        Assert.Null(hot.Get(Module, ArtefactKind.Zip, 6));
        Assert.Null(hot.Get(Module, ArtefactKind.Mod, 5));
    }

    [Fact]
    public void Put_OverCapacity_StartsOverAndStaysBounded()
    {
        var hot = new HotArtefacts(10);
        hot.Put(Module, ArtefactKind.Info, new(1, new byte[6], null));
        hot.Put(Module, ArtefactKind.Mod, new(1, new byte[6], null));
        hot.Put(Module, ArtefactKind.Zip, new(1, new byte[11], null));

        Assert.Null(hot.Get(Module, ArtefactKind.Info, 1));
        Assert.NotNull(hot.Get(Module, ArtefactKind.Mod, 1));
        Assert.Null(hot.Get(Module, ArtefactKind.Zip, 1));
    }

    [Fact]
    public void Put_LargerThanAnItemMay_NotKept()
    {
        var hot = new HotArtefacts(64L << 20);
        hot.Put(Module, ArtefactKind.Zip, new(1, new byte[HotArtefacts.MaxItemBytes + 1], null));

        Assert.Null(hot.Get(Module, ArtefactKind.Zip, 1));
    }
}
