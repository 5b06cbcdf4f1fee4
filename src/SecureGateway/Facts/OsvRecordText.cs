using System.Text;
using System.Text.Json;
using SecureGateway.Data.Facts;
using SecureGateway.Policy.Vulnerabilities;

namespace SecureGateway.Facts;

/// <summary>
/// One OSV record's bytes turned into a stored record, the same way for every OSV source (the Go vulnerability
/// database, OpenSSF's malicious packages): strict UTF-8, the record must carry the id it is filed under, the modules
/// it names are extracted, and text PostgreSQL's jsonb cannot hold is refused.
/// </summary>
internal static class OsvRecordText
{
    /// <param name="modified">The record's <c>modified</c> time as the source's index gives it; null: read it from the record.</param>
    /// <exception cref="FactSourceException">What is wrong with the record, as a phrase following its name.</exception>
    public static VulnerabilityRecord Parse(ReadOnlySpan<byte> bytes, string expectedId, DateTimeOffset? modified)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            var id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String
                ? idValue.GetString()
                : null;
            if (id != expectedId)
            {
                throw new FactSourceException($"holds entry {id ?? "(no id)"}");
            }

            modified ??= root.TryGetProperty("modified", out var modifiedValue) && modifiedValue.TryGetDateTimeOffset(out var parsed)
                ? parsed.ToUniversalTime()
                : throw new FactSourceException("has no RFC 3339 modified time");
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            throw new FactSourceException($"is not an OSV entry: {e.Message}", e);
        }

        // PostgreSQL's jsonb cannot hold a NUL character; such an entry would make the whole batch fail.
        if (text.Contains("\\u0000", StringComparison.Ordinal))
        {
            throw new FactSourceException("contains \\u0000, which PostgreSQL's jsonb cannot store");
        }

        return new VulnerabilityRecord { Id = expectedId, Modified = modified.Value, Osv = text, Modules = [.. OsvMatcher.AffectedModules(text)] };
    }
}
