using System.Net.Http.Json;
using System.Text.Json;

namespace SecureGateway.Tests.Infrastructure;

internal static class AdminApi
{
    /// <summary>The <c>items</c> of <c>GET /admin/decisions</c>, as JSON elements.</summary>
    public static Task<IReadOnlyList<JsonElement>> DecisionsAsync(this GatewayInstance gateway, string query = "") =>
        DecisionsAsync(gateway.Http, query);

    /// <inheritdoc cref="DecisionsAsync(GatewayInstance, string)"/>
    public static Task<IReadOnlyList<JsonElement>> DecisionsAsync(this GatewayProcess gateway, string query = "") =>
        DecisionsAsync(gateway.Http, query);

    /// <summary>POSTs <paramref name="body"/> as JSON to an admin endpoint with the admin token.</summary>
    public static Task<HttpResponseMessage> PostAdminAsync(this GatewayProcess gateway, string path, object body, CancellationToken cancellationToken = default) =>
        gateway.Http.SendAsync(GatewayProcess.AdminRequest(HttpMethod.Post, path, JsonContent.Create(body)), cancellationToken);

    private static async Task<IReadOnlyList<JsonElement>> DecisionsAsync(HttpClient http, string query)
    {
        using var response = await http.SendAsync(GatewayInstance.AdminRequest($"admin/decisions{query}"));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("items").EnumerateArray()];
    }
}
