using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Audit;

/// <summary>Admin API calls with the admin token, answered in JSON.</summary>
internal static class AdminJson
{
    public static async Task<JsonElement> GetJsonAsync(this GatewayInstance gateway, string path)
    {
        using var response = await gateway.Http.SendAsync(GatewayInstance.AdminRequest(path));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The <c>error</c> of a 400 answer (the assertion fails on any other status).</summary>
    public static async Task<string?> BadRequestErrorAsync(this GatewayInstance gateway, string path)
    {
        using var response = await gateway.Http.SendAsync(GatewayInstance.AdminRequest(path));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
    }

    /// <summary>The <c>id</c>s of a listing's <c>items</c>, in order.</summary>
    public static List<long> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt64())];
}
