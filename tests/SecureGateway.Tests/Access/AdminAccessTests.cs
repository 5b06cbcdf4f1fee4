using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SecureGateway.Admin;
using SecureGateway.Tests.Infrastructure;

namespace SecureGateway.Tests.Access;

/// <summary>One gateway with a token per role, shared by the role tests of the admin API.</summary>
public sealed class RoleTokensFixture : IAsyncLifetime
{
    internal GatewayInstance Gateway { get; private set; } = null!;

    internal Dictionary<string, string> Tokens { get; } = [];

    public async Task InitializeAsync()
    {
        Gateway = await GatewayInstance.StartAsync(new Uri(TempDirectory.Create("empty-upstream")).AbsoluteUri);
        foreach (var role in new[] { Roles.Admin, Roles.Reviewer, Roles.Auditor, Roles.Client })
        {
            Tokens[role] = await Gateway.CreateTokenAsync($"{role}-user", role);
        }
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>The admin API through real HTTP: no token → 401, a token lacking the role → 403, both as <c>{ "error" }</c>.</summary>
public sealed class AdminAccessTests(RoleTokensFixture fixture) : IClassFixture<RoleTokensFixture>
{
    private GatewayInstance Gateway => fixture.Gateway;

    [Fact]
    public async Task Get_NoToken_401WithBearerChallengeAndJsonError()
    {
        using var response = await Gateway.Http.GetAsync("admin/decisions");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("token is required", await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer sgw_forged", "invalid token")]
    [InlineData("Basic !!", "not base64")]
    [InlineData("Token abc", "unsupported authorization scheme")]
    public async Task Get_BadCredentials_401WithReason(string authorization, string reason)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "admin/decisions");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var response = await Gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains(reason, await ErrorAsync(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Roles.Admin, HttpStatusCode.OK)]
    [InlineData(Roles.Reviewer, HttpStatusCode.OK)]
    [InlineData(Roles.Auditor, HttpStatusCode.OK)]
    [InlineData(Roles.Client, HttpStatusCode.Forbidden)]
    public async Task GetDecisions_ByRole_ReadersAllowed(string role, HttpStatusCode expected)
    {
        using var response = await Gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "admin/decisions").WithBearer(fixture.Tokens[role]));

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Admin)]
    [InlineData(Roles.Reviewer)]
    public async Task Release_ReviewerOrAdmin_PassesAuthorizationToTheReview(string role)
    {
        using var response = await ReleaseAsync(fixture.Tokens[role]);

        // Nothing is in quarantine: the review itself answers, not the access check.
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Release_Auditor_403NamingTheTokenAndTheRolesNeeded()
    {
        using var response = await ReleaseAsync(fixture.Tokens[Roles.Auditor]);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden: token \"auditor-user\" has role auditor; this needs role admin or reviewer", await ErrorAsync(response));
    }

    [Fact]
    public async Task Get_BootstrapToken_ActsAsAdmin()
    {
        using var response = await Gateway.Http.SendAsync(GatewayInstance.AdminRequest("admin/decisions"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_CreatedTokenAsBasicAuth_AcceptedWhateverTheUser()
    {
        using var basic = await Gateway.Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "admin/decisions").WithBasic("anyone", fixture.Tokens[Roles.Auditor]));
        using var wrong = await Gateway.Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "admin/decisions").WithBasic("auditor-user", "sgw_wrong"));

        Assert.Equal(HttpStatusCode.OK, basic.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task Consumers_NoModule_400_AuditorReads_ClientRefused()
    {
        using var missing = await Gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "admin/consumers").WithBearer(fixture.Tokens[Roles.Auditor]));
        using var read = await Gateway.Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "admin/consumers?module=example.com/none").WithBearer(fixture.Tokens[Roles.Auditor]));
        using var client = await Gateway.Http.SendAsync(
            new HttpRequestMessage(HttpMethod.Get, "admin/consumers?module=example.com/none").WithBearer(fixture.Tokens[Roles.Client]));
        using var anonymous = await Gateway.Http.GetAsync("admin/consumers?module=example.com/none");

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("module is required", await ErrorAsync(missing), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Empty((await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, client.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Module_ClientAuthOff_NoTokenNeeded()
    {
        using var response = await Gateway.Http.GetAsync("example.com/none/@v/v1.0.0.info");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private Task<HttpResponseMessage> ReleaseAsync(string token) =>
        Gateway.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "admin/quarantine/release")
        {
            Content = JsonContent.Create(new { module = "example.com/none", version = "v1.0.0", justification = "test" }),
        }.WithBearer(token));

    private static async Task<string> ErrorAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
}
