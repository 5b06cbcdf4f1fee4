using System.Text;
using System.Text.Json;

namespace SecureGateway.Tests.GoTooling;

/// <summary>
/// One object of the go command's <c>go mod download -json</c> output. Strings the go command left
/// out are empty. When the download failed, <see cref="Error"/> holds go's message; decide on
/// <see cref="Error"/>, not on <see cref="Sum"/>: go 1.19 still reports the zip's Sum when it
/// refuses the zip while extracting it (e.g. "file path is not clean").
/// </summary>
/// <param name="Path">Module path as the go command printed it (not case-escaped).</param>
/// <param name="Version">Version (canonical once resolved).</param>
/// <param name="Sum">The zip's go.sum hash, <c>h1:…</c>.</param>
/// <param name="GoModSum">The go.mod's go.sum hash, <c>h1:…</c>.</param>
/// <param name="Info">Absolute path of the .info file in the client's module cache.</param>
/// <param name="GoMod">Absolute path of the .mod file in the client's module cache.</param>
/// <param name="Zip">Absolute path of the .zip file in the client's module cache.</param>
/// <param name="Error">The go command's error for this module, or null when it succeeded.</param>
/// <param name="Dir">Absolute path of the extracted module directory (empty when not extracted).</param>
public sealed record DownloadedModule(
    string Path,
    string Version,
    string Sum,
    string GoModSum,
    string Info,
    string GoMod,
    string Zip,
    string? Error = null,
    string Dir = "")
{
    /// <summary>True when the go command reported no error for this module.</summary>
    public bool Succeeded => Error is null;

    /// <summary><c>Path@Version</c>.</summary>
    public override string ToString() => $"{Path}@{Version}";

    /// <summary>Parses the stream of concatenated JSON objects printed by <c>go mod download -json</c>.</summary>
    internal static IReadOnlyList<DownloadedModule> ParseJsonStream(string output)
    {
        var modules = new List<DownloadedModule>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(output), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            string Text(string name) =>
                root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
            var error = root.TryGetProperty(nameof(Error), out var errorValue) ? ErrorText(errorValue) : null;
            modules.Add(new DownloadedModule(
                Text("Path"), Text("Version"), Text("Sum"), Text("GoModSum"), Text("Info"), Text("GoMod"), Text("Zip"),
                error, Text("Dir")));
        }

        return modules;
    }

    // Go 1.19 prints Error as a string; newer releases may print an object with an Err field.
    private static string? ErrorText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Object when value.TryGetProperty("Err", out var inner) => inner.ToString(),
        _ => value.GetRawText(),
    };
}
