using SecureGateway.Modules;

namespace SecureGateway.Core.Tests.Modules;

public sealed class ModuleEscapingTests
{
    public static TheoryData<string, string, string, string, string, string, bool, string, string> GoTable => GoPathTable.Rows;

    // module_test.go escapeTests.
    [Theory]
    [InlineData("ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789", "ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789")]
    [InlineData("github.com/GoogleCloudPlatform/omega", "github.com/!google!cloud!platform/omega")]
    public void EscapePath_GoTable_Escaped(string path, string escaped)
    {
        Assert.Equal(escaped, ModuleEscaping.EscapePath(path));
        Assert.True(ModuleEscaping.TryUnescapePath(escaped, out string unescaped, out string error));
        Assert.Equal((path, ""), (unescaped, error));
    }

    [Theory]
    [MemberData(nameof(GoTable))]
    public void EscapePath_GoTable_ThrowsExactlyForInvalidModulePaths(string path, string modErr, string importErr, string fileErr, string prefix, string pathMajor, bool splitOk, string unescaped, string unescapeErr)
    {
        _ = (importErr, fileErr, prefix, pathMajor, splitOk, unescaped, unescapeErr);
        if (modErr.Length == 0)
        {
            Assert.True(ModuleEscaping.TryUnescapePath(ModuleEscaping.EscapePath(path), out string roundTrip, out _));
            Assert.Equal(path, roundTrip);
        }
        else
        {
            Assert.Equal(modErr, Assert.Throws<ArgumentException>(() => ModuleEscaping.EscapePath(path)).Message);
        }
    }

    [Theory]
    [MemberData(nameof(GoTable))]
    public void TryUnescapePath_GoTable_GoResult(string path, string modErr, string importErr, string fileErr, string prefix, string pathMajor, bool splitOk, string unescaped, string unescapeErr)
    {
        _ = (modErr, importErr, fileErr, prefix, pathMajor, splitOk);
        bool ok = ModuleEscaping.TryUnescapePath(path, out string gotPath, out string gotError);
        Assert.Equal((unescapeErr.Length == 0, unescaped, unescapeErr), (ok, gotPath, gotError));
    }

    // module_test.go badUnescape.
    [Theory]
    [InlineData("github.com/GoogleCloudPlatform/omega")]
    [InlineData("github.com/!google!cloud!platform!/omega")]
    [InlineData("github.com/!0google!cloud!platform/omega")]
    [InlineData("github.com/!_google!cloud!platform/omega")]
    [InlineData("github.com/!!google!cloud!platform/omega")]
    [InlineData("")]
    public void TryUnescapePath_BadEscaping_False(string escaped)
    {
        Assert.False(ModuleEscaping.TryUnescapePath(escaped, out string path, out string error));
        Assert.Equal("", path);
        Assert.StartsWith($"invalid escaped module path \"{escaped}\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1.2.3", "v1.2.3")]
    [InlineData("v1.0.0-RC1", "v1.0.0-!r!c1")]
    [InlineData("master", "master")]
    public void EscapeVersion_AllowedVersion_Escaped(string version, string escaped)
    {
        Assert.Equal(escaped, ModuleEscaping.EscapeVersion(version));
        Assert.True(ModuleEscaping.TryUnescapeVersion(escaped, out string unescaped, out string error));
        Assert.Equal((version, ""), (unescaped, error));
    }

    [Theory]
    [InlineData("v1!")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("v1.0.")]
    [InlineData("com1")]
    public void EscapeVersion_DisallowedVersion_Throws(string version) =>
        Assert.Equal($"version \"{version}\" invalid: disallowed version string", Assert.Throws<ArgumentException>(() => ModuleEscaping.EscapeVersion(version)).Message);

    [Fact]
    public void EscapeVersion_NonAsciiLetter_ThrowsLikeGo() =>
        Assert.Equal("internal error: inconsistency in EscapePath", Assert.Throws<ArgumentException>(() => ModuleEscaping.EscapeVersion("vé")).Message);

    [Theory]
    [InlineData("v1.0.0-RC1", "invalid escaped version \"v1.0.0-RC1\"")]
    [InlineData("v1!", "invalid escaped version \"v1!\"")]
    [InlineData("v1.0.0-!1", "invalid escaped version \"v1.0.0-!1\"")]
    [InlineData("", "invalid escaped version \"\": empty path element")]
    [InlineData("a/b", "invalid escaped version \"a/b\": invalid char '/'")]
    [InlineData("..", "invalid escaped version \"..\": invalid path element \"..\"")]
    [InlineData("!com1", "invalid escaped version \"Com1\": \"Com1\" disallowed as path element component on Windows")]
    public void TryUnescapeVersion_Invalid_GoErrorText(string escaped, string error)
    {
        Assert.False(ModuleEscaping.TryUnescapeVersion(escaped, out string version, out string gotError));
        Assert.Equal(("", error), (version, gotError));
    }
}
