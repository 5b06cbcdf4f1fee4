using System.Text.Json;

namespace SecureGateway.Reports;

/// <summary>The report as JSON: camelCase, indented, times in ISO 8601 with their (UTC) offset.</summary>
public static class JsonReport
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Render(ComplianceReport report) => JsonSerializer.Serialize(report, Options);
}
