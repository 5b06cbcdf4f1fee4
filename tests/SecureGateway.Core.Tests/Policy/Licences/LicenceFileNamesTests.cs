using SecureGateway.Policy.Licences;

namespace SecureGateway.Core.Tests.Policy.Licences;

// pkgsite internal/licenses/licenses.go: FileNames (compared lower-cased) and isVendoredFile.
public sealed class LicenceFileNamesTests
{
    [Theory]
    [InlineData("LICENSE")]
    [InlineData("LICENCE")]
    [InlineData("COPYING")]
    [InlineData("UNLICENSE")]
    [InlineData("UNLICENCE")]
    [InlineData("LICENSE.md")]
    [InlineData("LICENSE.txt")]
    [InlineData("LICENSE.markdown")]
    [InlineData("LICENSE.rst")]
    [InlineData("COPYING.md")]
    [InlineData("COPYING.txt")]
    [InlineData("LICENSE-2.0.txt")]
    [InlineData("LICENSE-APACHE")]
    [InlineData("LICENCE-APACHE-2.0.txt")]
    [InlineData("LICENSE-MIT")]
    [InlineData("LICENSE.MIT")]
    [InlineData("LICENSE.code")]
    [InlineData("LICENSE.docs")]
    [InlineData("MIT-LICENSE")]
    [InlineData("MIT-LICENCE.txt")]
    [InlineData("MIT_LICENSE")]
    [InlineData("license")]
    [InlineData("License.Md")]
    [InlineData("copying")]
    [InlineData("sub/COPYING")]
    [InlineData("a/b/c/LICENSE.txt")]
    [InlineData("vendor/LICENSE")] // a package may be named vendor: only files below vendor/x/ are vendored
    [InlineData("myvendor/x/LICENSE")]
    [InlineData("vendors/x/LICENSE")]
    public void IsLicenceFile_PkgsiteName_True(string path) => Assert.True(LicenceDetector.IsLicenceFile(path));

    [Theory]
    [InlineData("COPYING.LESSER")]
    [InlineData("copying.lesser")]
    [InlineData("COPYING.LIB")]
    [InlineData("sub/COPYING.LESSER.txt")]
    [InlineData("LICENSES/Apache-2.0.txt")]
    [InlineData("LICENSES/LicenseRef-custom.txt")]
    [InlineData("sub/LICENSES/CC0-1.0.txt")]
    public void IsLicenceFile_GnuLesserOrReuseFolder_True(string path) => Assert.True(LicenceDetector.IsLicenceFile(path));

    [Theory]
    [InlineData("LICENSE.go")]
    [InlineData("license.html")]
    [InlineData("LICENSES")]
    [InlineData("LICENSE-BSD")]
    [InlineData("LICENSE.apache")]
    [InlineData("licenses/MIT.txt")] // REUSE's folder is spelt in capitals
    [InlineData("vendor/x/LICENSES/MIT.txt")]
    [InlineData("COPYRIGHT")]
    [InlineData("NOTICE")]
    [InlineData("README.md")]
    [InlineData("licensee")]
    [InlineData("MIT-LICENSE.rst")]
    [InlineData("LICENSE/README")]
    [InlineData("docs/LICENSE/x.txt")]
    [InlineData("vendor/github.com/x/y/LICENSE")]
    [InlineData("vendor/x/LICENSE")]
    [InlineData("sub/vendor/x/COPYING")]
    [InlineData("")]
    public void IsLicenceFile_OtherOrVendored_False(string path) => Assert.False(LicenceDetector.IsLicenceFile(path));

    [Fact]
    public void Names_PkgsiteList_FortyNames() =>
        Assert.Equal(40, LicenceFileNames.Names.Distinct(StringComparer.Ordinal).Count());
}
