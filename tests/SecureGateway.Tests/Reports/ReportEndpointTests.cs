using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using SecureGateway.Reports;
using static SecureGateway.Tests.Reports.ReportDatabase;

namespace SecureGateway.Tests.Reports;

/// <summary><c>GET /admin/reports/compliance</c> on a <see cref="ReportHost"/> whose clock stopped at 1 March 12:00.</summary>
public sealed class ReportEndpointTests(ReportDatabase database) : IClassFixture<ReportDatabase>, IAsyncLifetime
{
    private WebApplication app = null!;
    private Uri baseAddress = null!;

    public async Task InitializeAsync()
    {
        app = ReportHost.Create(database.ConnectionString, Now);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        baseAddress = new Uri(address + "/");
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Get_NoFormat_JsonReportOfThePeriod()
    {
        using var response = await GetAsync("admin/reports/compliance?from=2026-02-01&to=2026-03-01");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var report = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(17, report.GetProperty("outcomes").GetProperty("decisions").GetInt32());
        Assert.Equal(2, report.GetProperty("openQuarantine").GetArrayLength());
    }

    [Fact]
    public async Task Get_NoPeriod_TheLast30DaysUpToNow()
    {
        using var response = await GetAsync("admin/reports/compliance");
        var report = await response.Content.ReadFromJsonAsync<ComplianceReport>(JsonReport.Options);

        Assert.Equal(new ReportPeriod(Now.AddDays(-30), Now), report!.Period);
        Assert.Equal(Now, report.AsOf);
        // All of February's decisions (from 2 February on) and the two admissions of 1 March morning.
        Assert.Equal((19, 8), (report.Outcomes.Decisions, report.Outcomes.Admitted));
    }

    [Fact]
    public async Task Get_Csv_AttachmentNamedAfterThePeriod()
    {
        using var response = await GetAsync("admin/reports/compliance?from=2026-02-01&to=2026-03-01&format=csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("compliance-2026-02-01-2026-03-01.csv", response.Content.Headers.ContentDisposition.FileName);
        var rows = Rfc4180.Parse((await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF'));
        Assert.Equal(["outcomes", "decisions", "17"], rows.Single(r => r[0] == "outcomes" && r[1] == "decisions")[..3]);
    }

    [Fact]
    public async Task Get_Html_OnePageThatMayLoadNothing()
    {
        using var response = await GetAsync("admin/reports/compliance?from=2026-02-01&to=2026-03-01&format=HTML");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(HtmlReport.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.StartsWith("<!DOCTYPE html>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?from=yesterday", "from must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"yesterday\"")]
    [InlineData("?from=2026-02-01&to=2026-01-01", "from (2026-02-01T00:00:00Z) must be earlier than to (2026-01-01T00:00:00Z)")]
    [InlineData("?format=pdf", "format must be json, csv or html, not \"pdf\"")]
    [InlineData("?to=soon&format=xml", "to must be an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z), not \"soon\"; format must be json, csv or html, not \"xml\"")]
    public async Task Get_BadQuery_400WithError(string query, string error)
    {
        using var response = await GetAsync($"admin/reports/compliance{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    private async Task<HttpResponseMessage> GetAsync(string path)
    {
        using var http = new HttpClient { BaseAddress = baseAddress };
        return await http.GetAsync(path);
    }
}
