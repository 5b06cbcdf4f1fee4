using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Core.Tests.Verification.ZipRules;

public sealed class FileNameCollisionsTests
{
    [Fact]
    public void Check_SameDirectoryAgain_NoError()
    {
        var collisions = new FileNameCollisions();
        Assert.Null(collisions.Check("a/b/c.go", isDirectory: false));
        Assert.Null(collisions.Check("a/b", isDirectory: true));
        Assert.Null(collisions.Check("a/b/d.go", isDirectory: false));
    }

    // Go keeps a directory recorded by an entry that failed higher up, and later entries below it fail the same way.
    [Fact]
    public void Check_BelowDirectoryThatCollidedHigherUp_FailsAgain()
    {
        var collisions = new FileNameCollisions();
        Assert.Null(collisions.Check("A/x.go", isDirectory: false));
        Assert.Equal("case-insensitive file name collision: \"A\" and \"a\"", collisions.Check("a/b/y.go", isDirectory: false));
        Assert.Equal("case-insensitive file name collision: \"A\" and \"a\"", collisions.Check("a/b/z.go", isDirectory: false));
    }

    // Deep names cost time linear in their length; Go's whole-path keys would be quadratic.
    [Fact]
    public void Check_VeryDeepPaths_CollisionFoundAtTheRightDepth()
    {
        var collisions = new FileNameCollisions();
        string deep = string.Join('/', Enumerable.Repeat("d", 50_000));
        Assert.Null(collisions.Check(deep + "/x.go", isDirectory: false));
        Assert.Null(collisions.Check(deep + "/y.go", isDirectory: false));
        Assert.Equal($"case-insensitive file name collision: \"{deep}/x.go\" and \"{deep}/X.go\"", collisions.Check(deep + "/X.go", isDirectory: false));
    }
}
