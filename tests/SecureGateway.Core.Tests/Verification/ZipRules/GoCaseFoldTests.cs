using SecureGateway.Verification.ZipRules;

namespace SecureGateway.Core.Tests.Verification.ZipRules;

// Expected values: Go's strToFold logic over unicode.SimpleFold (Go 1.19). The whole Unicode range was compared
// once against Go; the only differences are letters Go 1.19's Unicode 13 tables do not know.
public sealed class GoCaseFoldTests
{
    [Theory]
    [InlineData("go.mod", "go.mod")]
    [InlineData("Go.MOD", "go.mod")]
    [InlineData("\u212A", "k")] // KELVIN SIGN folds with K and k
    [InlineData("\u017F", "s")] // LONG S folds with S and s
    [InlineData("\u0130", "\u0130")] // İ and ı fold only to themselves, unlike their lower/upper case mappings
    [InlineData("\u0131", "\u0131")]
    [InlineData("\u01C5", "\u01C4")] // title case Dž joins DŽ and dž
    [InlineData("\u03C2", "\u03A3")] // final sigma
    [InlineData("\u03F4", "\u0398")]
    [InlineData("\u1E9E", "\u00DF")]
    [InlineData("\uA64B", "\u1C88")] // an orbit whose first member is not the upper case letter
    [InlineData("\U00010428", "\U00010400")] // Deseret, outside the BMP
    [InlineData("Straße/\u00C9T\u00C9", "stra\u00DFe/\u00C9t\u00C9")]
    public void Fold_String_GoStrToFold(string input, string folded) => Assert.Equal(folded, GoCaseFold.Fold(input));
}
