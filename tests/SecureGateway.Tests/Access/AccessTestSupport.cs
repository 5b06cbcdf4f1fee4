using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Access;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Access;

internal static class AccessTestSupport
{
    /// <summary>A token issued by the gateway's own <see cref="ApiTokens"/>, as <c>token create</c> issues it.</summary>
    public static async Task<string> CreateTokenAsync(this GatewayInstance gateway, string name, params string[] roles)
    {
        var created = await gateway.Services.GetRequiredService<ApiTokens>().CreateAsync(name, roles, "test", CancellationToken.None);
        Assert.True(created.Created, created.Error);
        return created.Token!;
    }

    /// <summary>The rows of <c>/admin/consumers</c> for one version (the download ledger, written a moment after serving).</summary>
    public static async Task<List<JsonElement>> ConsumersAsync(this HttpClient http, string module, string version)
    {
        using var response = await http.SendAsync(GatewayInstance.AdminRequest($"admin/consumers?module={module}&version={version}"));
        response.EnsureSuccessStatusCode();
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray()];
    }

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static HttpRequestMessage WithBasic(this HttpRequestMessage request, string user, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{token}")));
        return request;
    }
}
