using SecureGateway.Modules;

namespace SecureGateway.Core.Tests.Modules;

public sealed class ModulePathTests
{
    public static TheoryData<string, string, string, string, string, string, bool, string, string> GoTable => GoPathTable.Rows;

    [Theory]
    [MemberData(nameof(GoTable))]
    public void CheckPath_GoTable_GoErrorText(string path, string modErr, string importErr, string fileErr, string prefix, string pathMajor, bool splitOk, string unescaped, string unescapeErr)
    {
        _ = (importErr, fileErr, prefix, pathMajor, splitOk, unescaped, unescapeErr);
        Assert.Equal(NullIfEmpty(modErr), ModulePath.CheckPath(path));
    }

    [Theory]
    [MemberData(nameof(GoTable))]
    public void CheckImportPath_GoTable_GoErrorText(string path, string modErr, string importErr, string fileErr, string prefix, string pathMajor, bool splitOk, string unescaped, string unescapeErr)
    {
        _ = (modErr, fileErr, prefix, pathMajor, splitOk, unescaped, unescapeErr);
        Assert.Equal(NullIfEmpty(importErr), ModulePath.CheckImportPath(path));
    }

    [Theory]
    [MemberData(nameof(GoTable))]
    public void CheckFilePath_GoTable_GoErrorText(string path, string modErr, string importErr, string fileErr, string prefix, string pathMajor, bool splitOk, string unescaped, string unescapeErr)
    {
        _ = (modErr, importErr, prefix, pathMajor, splitOk, unescaped, unescapeErr);
        Assert.Equal(NullIfEmpty(fileErr), ModulePath.CheckFilePath(path));
    }

    [Theory]
    [MemberData(nameof(GoTable))]
    public void TrySplitPathVersion_GoTable_GoResult(string path, string modErr, string importErr, string fileErr, string prefix, string pathMajor, bool splitOk, string unescaped, string unescapeErr)
    {
        _ = (modErr, importErr, fileErr, unescaped, unescapeErr);
        bool ok = ModulePath.TrySplitPathVersion(path, out string gotPrefix, out string gotMajor);
        Assert.Equal((splitOk, prefix, pathMajor), (ok, gotPrefix, gotMajor));
    }

    // module_test.go splitPathVersionTests: prefix + suffix splits back into the two.
    [Theory]
    [InlineData("x.y/z", "")]
    [InlineData("x.y/z", "/v2")]
    [InlineData("x.y/z", "/v3")]
    [InlineData("x.y/v", "")]
    [InlineData("gopkg.in/yaml", ".v0")]
    [InlineData("gopkg.in/yaml", ".v1")]
    [InlineData("gopkg.in/yaml", ".v2")]
    [InlineData("gopkg.in/yaml", ".v3")]
    public void TrySplitPathVersion_PrefixAndMajor_SplitsBack(string prefix, string pathMajor)
    {
        Assert.True(ModulePath.TrySplitPathVersion(prefix + pathMajor, out string gotPrefix, out string gotMajor));
        Assert.Equal((prefix, pathMajor), (gotPrefix, gotMajor));
    }

    // module_test.go TestMatchPathMajor.
    [Theory]
    [InlineData("v0.0.0", "", true)]
    [InlineData("v0.0.0", "/v2", false)]
    [InlineData("v0.0.0", ".v0", true)]
    [InlineData("v0.0.0-20190510104115-cbcb75029529", ".v1", true)]
    [InlineData("v1.0.0", "/v2", false)]
    [InlineData("v1.0.0", ".v1", true)]
    [InlineData("v1.0.0", ".v1-unstable", true)]
    [InlineData("v2.0.0+incompatible", "", true)]
    [InlineData("v2.0.0", "", false)]
    [InlineData("v2.0.0", "/v2", true)]
    [InlineData("v2.0.0", ".v2", true)]
    public void CheckPathMajor_GoTable_MatchesGo(string version, string pathMajor, bool match) =>
        Assert.Equal(match, ModulePath.CheckPathMajor(version, pathMajor) is null);

    [Theory]
    [InlineData("v2.0.0", "", "version \"v2.0.0\" invalid: should be v0 or v1, not v2")]
    [InlineData("v1.0.0", "/v2", "version \"v1.0.0\" invalid: should be v2, not v1")]
    [InlineData("v3.0.0", ".v2", "version \"v3.0.0\" invalid: should be v2, not v3")]
    public void CheckPathMajor_Mismatch_GoErrorText(string version, string pathMajor, string error) =>
        Assert.Equal(error, ModulePath.CheckPathMajor(version, pathMajor));

    [Fact]
    public void CheckPath_UnpairedSurrogate_InvalidUtf8LikeGo() =>
        Assert.Equal(@"malformed module path ""x.y/\xed\xa0\x80z"": invalid UTF-8", ModulePath.CheckPath("x.y/\uD800z"));

    [Fact]
    public void CheckPath_LongestAllowedPath_Valid()
    {
        string path = "example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 250), 4)) + "/" + new string('b', 8);
        Assert.Equal(ModulePath.MaxPathBytes, path.Length);
        Assert.Null(ModulePath.CheckPath(path));
    }

    [Fact]
    public void CheckPath_PathOver1024Bytes_TooLong()
    {
        string path = "example.com/" + string.Join('/', Enumerable.Repeat(new string('a', 250), 4)) + "/" + new string('b', 9);
        Assert.Equal($"malformed module path \"{path}\": too long (1025 bytes; limit is 1024)", ModulePath.CheckPath(path));
    }

    [Fact]
    public void CheckPath_ElementOver255Bytes_TooLong()
    {
        string path = "example.com/" + new string('a', 256);
        Assert.Equal($"malformed module path \"{path}\": path element too long (256 bytes; limit is 255)", ModulePath.CheckPath(path));
        Assert.Null(ModulePath.CheckPath("example.com/" + new string('a', 255)));
    }

    [Fact]
    public void CheckImportPath_LongPath_NoLengthLimit() =>
        Assert.Null(ModulePath.CheckImportPath("example.com/" + new string('a', 5000)));

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
