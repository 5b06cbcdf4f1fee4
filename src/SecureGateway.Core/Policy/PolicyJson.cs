using System.Text.Json;
using System.Text.Json.Serialization;

namespace SecureGateway.Policy;

/// <summary>
/// The JSON form of <see cref="ModuleFacts"/>: what rules receive (parsed inside the sandbox, see
/// <see cref="RuleFacts"/>, so no CLR object crosses into JavaScript) and what is stored with a decision for replay.
/// camelCase, nulls included, dates as ISO 8601.
/// </summary>
public static class PolicyJson
{
    /// <summary>Read-only serializer options (camelCase, nulls included).</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize(ModuleFacts facts) => JsonSerializer.Serialize(facts, Options);

    public static ModuleFacts Deserialize(string json) =>
        JsonSerializer.Deserialize<ModuleFacts>(json, Options) ?? throw new JsonException("facts JSON is null");
}
