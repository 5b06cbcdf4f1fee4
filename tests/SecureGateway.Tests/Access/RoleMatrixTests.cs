using System.Net;
using System.Net.Http.Json;
using SecureGateway.Admin;

namespace SecureGateway.Tests.Access;

/// <summary>Every admin endpoint × every role: no token → 401, a role without the right → 403, else the endpoint answers.</summary>
public sealed class RoleMatrixTests(RoleTokensFixture fixture) : IClassFixture<RoleTokensFixture>
{
    private const string Anonymous = "anonymous";

    private static readonly (string Method, string Path, string[] Allowed)[] Endpoints =
    [
        ("GET", "admin/decisions", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
        ("GET", "admin/quarantine", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
        ("POST", "admin/quarantine/release", [Roles.Admin, Roles.Reviewer]),
        ("POST", "admin/quarantine/deny", [Roles.Admin, Roles.Reviewer]),
        ("POST", "admin/reevaluate", [Roles.Admin, Roles.Reviewer]),
        ("GET", "admin/reevaluate", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
        ("POST", "admin/revoke", [Roles.Admin, Roles.Reviewer]),
        ("POST", "admin/reconsider", [Roles.Admin, Roles.Reviewer]),
        ("GET", "admin/doctor", [Roles.Admin, Roles.Reviewer]),
        ("GET", "admin/consumers?module=example.com/m", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
        ("GET", "admin/audit/verify", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
        ("GET", "admin/audit/checkpoint", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
        ("GET", "admin/audit/events", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
        ("GET", "admin/reports/compliance?format=json", [Roles.Admin, Roles.Reviewer, Roles.Auditor]),
    ];

    public static TheoryData<string, string, string> Matrix()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (method, path, _) in Endpoints)
        {
            foreach (var role in new[] { Roles.Admin, Roles.Reviewer, Roles.Auditor, Roles.Client, Anonymous })
            {
                data.Add(method, path, role);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Endpoint_Role_AllowedOnlyWithTheRightRole(string method, string path, string role)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST" && path != "admin/reevaluate")
        {
            request.Content = JsonContent.Create(new { module = "example.com/never", version = "v1.0.0", justification = "matrix" });
        }

        if (role != Anonymous)
        {
            request.WithBearer(fixture.Tokens[role]);
        }

        using var response = await fixture.Gateway.Http.SendAsync(request);

        var allowed = Endpoints.Single(e => e.Method == method && e.Path == path).Allowed.Contains(role);
        if (role == Anonymous)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        else if (allowed)
        {
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.True((int)response.StatusCode < 500, $"{method} {path} as {role}: {(int)response.StatusCode}");
        }
        else
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }
}
