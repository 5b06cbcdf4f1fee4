using System.Text.Json;
using System.Text.RegularExpressions;
using SecureGateway.Reports;
using SecureGateway.Tests.Infrastructure;
using Xunit.Abstractions;
using static SecureGateway.Tests.Reports.ReportDatabase;

namespace SecureGateway.Tests.Reports;

/// <summary>The February report rendered as JSON, CSV and HTML; the HTML loaded in headless Chromium.</summary>
public sealed partial class ReportRenderingTests(ReportDatabase database, ITestOutputHelper output) : IClassFixture<ReportDatabase>
{
    private static readonly string[] Headings =
    [
        "Decisions by outcome", "Policy rules", "Denials by reason", "Licences of admitted modules", "Open quarantine",
        "Releases from quarantine", "Policy revisions", "Checksum database", "Top consumers",
    ];

    [Fact]
    public void Json_CamelCaseWithTheReportsFigures()
    {
        using var json = JsonDocument.Parse(JsonReport.Render(database.Report));
        var root = json.RootElement;

        Assert.All(PropertyNames(root), name => Assert.True(char.IsLower(name[0]), $"property {name} is not camelCase"));
        Assert.Equal("2026-02-01T00:00:00+00:00", root.GetProperty("period").GetProperty("from").GetString());
        var outcomes = root.GetProperty("outcomes");
        Assert.Equal((17, 6, 6, 5), (outcomes.GetProperty("decisions").GetInt32(), outcomes.GetProperty("admitted").GetInt32(),
            outcomes.GetProperty("denied").GetInt32(), outcomes.GetProperty("quarantined").GetInt32()));
        Assert.Equal("licence", root.GetProperty("rules")[0].GetProperty("rule").GetString());
        Assert.Equal("MIT", root.GetProperty("licences")[1].GetProperty("spdx").GetString());
        Assert.Equal("example.com/young", root.GetProperty("openQuarantine")[0].GetProperty("module").GetString());
        Assert.Equal("alice", root.GetProperty("releases")[0].GetProperty("reviewer").GetString());
        Assert.Equal("2026-06-01T00:00:00+00:00", root.GetProperty("releases")[0].GetProperty("expiresAt").GetString());
        Assert.Equal("zip rule", root.GetProperty("denials")[3].GetProperty("reason").GetString());
        Assert.True(root.GetProperty("policy").GetProperty("revisions")[0].GetProperty("inForceAtStart").GetBoolean());
        Assert.Equal("sumdb-fork", root.GetProperty("checksumDb").GetProperty("databases")[0].GetProperty("activeFork").GetProperty("kind").GetString());
        Assert.Equal(14, root.GetProperty("consumers").GetProperty("top")[0].GetProperty("downloads").GetInt32());
    }

    [Fact]
    public void Csv_Rfc4180_OneTableWithASectionColumn()
    {
        var text = CsvReport.Render(database.Report);

        Assert.StartsWith("\uFEFFsection,key,value,", text, StringComparison.Ordinal);
        var rows = Rfc4180.Parse(text[1..]);
        Assert.Equal(CsvReport.Header, rows[0]);
        Assert.All(rows, row => Assert.Equal(CsvReport.Header.Count, row.Length));
        var bySection = rows.Skip(1).ToLookup(row => row[0]);
        string[] Row(string section, string key) => bySection[section].Single(row => row[1] == key);

        Assert.Equal("6", Row("outcomes", "admitted")[2]);
        Assert.Equal("17", Row("outcomes", "decisions")[2]);
        Assert.Equal("2026-02-01T00:00:00Z", Row("report", "from")[6]);
        Assert.Equal("2", bySection["daily"].Single(row => row[1] == "admitted" && row[6] == "2026-02-02")[2]);
        Assert.Equal("2", bySection["rules"].Single(row => row[1] == "licence" && row[9] == "denied")[2]);
        var repository = bySection["rules"].Single(row => row[1] == "repository");
        Assert.Equal(("1", "policy error"), (repository[2], repository[9]));
        Assert.Equal(7, bySection["licence-modules"].Count());
        Assert.Contains(bySection["licence-modules"], row => row[1] == "MIT" && row[4] == "example.com/apache" && row[5] == "v1.2.0");

        // Commas, quotes and line breaks survive quoting.
        Assert.Equal(BrokenZipReason, Row("denials", "zip rule")[9]);
        var alice = Row("releases", "example.com/unlicensed@v1.0.0");
        Assert.Equal((AliceJustification, "alice", "2026-06-01T00:00:00Z", "in force"), (alice[9], alice[8], alice[7], alice[2]));
        Assert.Equal("expired", Row("releases", "example.com/waived@v1.0.0")[2]);
        var quarantined = Row("open-quarantine", "example.com/broken-rule@v1.0.0");
        Assert.Equal(("20", 2), (quarantined[2], quarantined[9].Split('\n').Length));

        // A client name a spreadsheet would run as a formula is defused.
        Assert.Equal("12", Row("top-consumers", "'" + HostileClient)[2]);
        Assert.Equal(["fork", "none"], bySection["checksum-db-alarm"].Select(r => r[2]).Order());
        Assert.Equal("310", Row("checksum-db-head", "sum.golang.org")[2]);
    }

    [Fact]
    public async Task Html_InHeadlessChromium_EverySectionAChartPerFigureAndNothingExternal()
    {
        var html = HtmlReport.Render(database.Report);
        var directory = TempDirectory.Create("compliance-report");
        var file = Path.Combine(directory, "report.html");
        await File.WriteAllTextAsync(file, html);

        // Self-contained: no script, no external reference of any kind; every link an in-page anchor.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.All(ReferenceAttribute().Matches(html), link => Assert.StartsWith("#", link.Groups["target"].Value, StringComparison.Ordinal));

        // Text from the database is encoded, never markup.
        Assert.Contains("&lt;b&gt;mallory&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain(MarkupClient, html, StringComparison.Ordinal);
        Assert.Contains("see &lt;TICKET-1&gt;", html, StringComparison.Ordinal);

        var dom = await HeadlessChromium.DumpDomAsync(file);
        Assert.Contains("<title>Compliance report 2026-02-01 to 2026-03-01 · SecureGateway</title>", dom, StringComparison.Ordinal);
        Assert.Contains("2026-02-01 00:00 UTC to 2026-03-01 00:00 UTC", dom, StringComparison.Ordinal);
        Assert.Contains("Generated 2026-03-01 12:00 UTC", dom, StringComparison.Ordinal);
        Assert.All(Headings, heading => Assert.Contains($"<h2>{heading}</h2>", dom, StringComparison.Ordinal));
        var charts = SvgElement().Matches(dom).Select(svg => svg.Groups["label"].Value).ToList();
        Assert.Equal(["Decisions per day by outcome", "Denials by reason", "Admitted module versions by licence", "Downloads by client"], charts);
        Assert.Equal(28, OutcomeBar().Count(dom)); // a bar for every day of February
        Assert.DoesNotContain("<b>", dom, StringComparison.Ordinal);
        Assert.Contains("example.com/broken-rule@v1.0.0", dom, StringComparison.Ordinal);

        var png = await HeadlessChromium.ScreenshotAsync(file, Path.Combine(directory, "report.png"));
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.True(bytes.Length > 50_000, $"screenshot is only {bytes.Length} bytes: blank?");
        output.WriteLine($"report: {file}\nscreenshot: {png}");
    }

    [Fact]
    public async Task Html_EmptyPeriod_SaysSoInEverySection()
    {
        var report = await database.Builder().BuildAsync(new ReportPeriod(At(4, 1), At(4, 2)), CancellationToken.None);

        var html = HtmlReport.Render(report);

        Assert.Contains("No decisions were recorded in this period.", html, StringComparison.Ordinal);
        Assert.Contains("Nothing was denied in this period.", html, StringComparison.Ordinal);
        Assert.Contains("No release from quarantine in this period.", html, StringComparison.Ordinal);
        Assert.Contains("Nothing was downloaded in this period.", html, StringComparison.Ordinal);
        Assert.Equal("Admitted module versions by licence", Assert.Single(SvgElement().Matches(html)).Groups["label"].Value); // what is admitted now
    }

    [Fact]
    public void FileName_NamesThePeriodAndFormat() =>
        Assert.Equal("compliance-2026-02-01-2026-03-01.csv", ReportRenderer.FileName(database.Report, ReportFormat.Csv));

    private static IEnumerable<string> PropertyNames(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => PropertyNames(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(PropertyNames),
        _ => [],
    };

    [GeneratedRegex("""\b(?:src|href|action|poster|data)\s*=\s*["']?(?<target>[^"'\s>]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ReferenceAttribute();

    [GeneratedRegex("""<svg [^>]*aria-label="(?<label>[^"]*)""")]
    private static partial Regex SvgElement();

    /// <summary>A bar group of the outcome chart: its tooltip names a day (MM-dd) and the three counts.</summary>
    [GeneratedRegex("""<title>\d\d-\d\d: \d+ admitted, \d+ quarantined, \d+ denied</title>""")]
    private static partial Regex OutcomeBar();
}
