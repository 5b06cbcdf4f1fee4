using SecureGateway.WebConsole;

namespace SecureGateway.Tests.WebConsole;

public sealed class ConsoleSessionsTests
{
    /// <summary>After sign-in the browser goes back only to a console page of this gateway: never to another site.</summary>
    [Theory]
    [InlineData("/console/quarantine?rule=licence", "/console/quarantine?rule=licence")]
    [InlineData("/console", "/console")]
    [InlineData(null, "/console")]
    [InlineData("", "/console")]
    [InlineData("https://evil.example/console", "/console")]
    [InlineData("//evil.example/console", "/console")]
    [InlineData("/\\evil.example", "/console")]
    [InlineData("/console\\..\\..\\evil", "/console")]
    [InlineData("/admin/decisions", "/console")]
    [InlineData("javascript:alert(1)", "/console")]
    public void SafeReturnUrl_OnlyConsolePathsOfThisSite(string? asked, string expected) =>
        Assert.Equal(expected, ConsoleSessions.SafeReturnUrl(asked));
}
