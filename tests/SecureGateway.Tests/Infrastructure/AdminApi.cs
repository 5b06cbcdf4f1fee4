using System.Net.Http.Json;
using System.Text.Json;

namespace SecureGateway.Tests.Infrastructure;

internal static class AdminApi
{
    /// <summary>The <c>items</c> of <c>GET /admin/decisions</c>, as JSON elements.</summary>
    public static async Task<IReadOnlyList<JsonElement>> DecisionsAsync(this GatewayInstance gateway, string query = "")
    {
        using var response = await gateway.Http.SendAsync(GatewayInstance.AdminRequest($"admin/decisions{query}"));
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return [.. body.GetProperty("items").EnumerateArray()];
    }
}
