using System.Net.Http.Headers;
using System.Text;
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
