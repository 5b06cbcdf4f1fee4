using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Hosting;

internal static partial class StartupLog
{
    /// <summary>Says at start what the gateway verifies against, loudly when it verifies less than the go command would.</summary>
    public static void LogChecksumDb(this ILogger logger, SumDbSettings settings, string? privatePatterns)
    {
        if (settings.Disabled)
        {
            ChecksumDbOff(logger);
            return;
        }

        ChecksumDbOn(logger, settings.Name, settings.Url is { } url ? Upstream.RedactedUrl.Of(url) : "(none)", string.IsNullOrEmpty(privatePatterns) ? "none" : privatePatterns);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Gateway:SumDb=off: module versions are admitted WITHOUT checksum database verification; a compromised upstream can serve altered code")]
    private static partial void ChecksumDbOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verifying every admission against checksum DB {Name} at {Url}; skipped for private patterns: {Patterns}")]
    private static partial void ChecksumDbOn(ILogger logger, string name, string url, string patterns);
}
