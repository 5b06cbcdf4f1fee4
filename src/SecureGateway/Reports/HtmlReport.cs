using System.Globalization;
using System.Net;
using System.Text;

namespace SecureGateway.Reports;

/// <summary>
/// The report as one self-contained HTML page for auditors: inline CSS, charts as inline SVG, no script and nothing
/// fetched (its Content-Security-Policy forbids it). Every text from the database is HTML-encoded. Print styles drop the
/// navigation and keep table rows whole.
/// </summary>
public static class HtmlReport
{
    /// <summary>The page's own policy, also worth sending as a header: nothing but inline styles.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    /// <summary>Module versions listed per licence before "and N more" (the JSON and CSV list them all).</summary>
    internal const int ModulesPerLicence = 12;

    /// <summary>Bars in the licence and denial charts; the rest are summed into one "other" bar.</summary>
    private const int ChartRows = 12;

    /// <summary>Days up to which the outcome chart has a bar per day; longer periods get a bar per few days.</summary>
    private const int MaxBars = 92;

    private static readonly ChartSeries[] OutcomeSeries =
    [
        new("admitted", "#2e7d32"),
        new("quarantined", "#ef8f00"),
        new("denied", "#c62828"),
    ];

    /// <summary>The sections in page order: anchor, heading, and what writes the body.</summary>
    private static readonly (string Id, string Title, Action<Page, ComplianceReport> Write)[] Sections =
    [
        ("outcomes", "Decisions by outcome", Outcomes),
        ("rules", "Policy rules", Rules),
        ("denials", "Denials by reason", Denials),
        ("licences", "Licences of admitted modules", Licences),
        ("quarantine", "Open quarantine", OpenQuarantine),
        ("releases", "Releases from quarantine", Releases),
        ("policy", "Policy revisions", Policy),
        ("checksum-db", "Checksum database", ChecksumDb),
        ("consumers", "Top consumers", Consumers),
    ];

    public static string Render(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var page = new Page();
        var period = $"{Time(report.Period.From)} to {Time(report.Period.To)}";
        page.Raw($"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="{ContentSecurityPolicy}">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Compliance report {E(Day(report.Period.From))} to {E(Day(report.Period.To))} · SecureGateway</title>
            <style>{Css}</style>
            </head>
            <body>
            <header>
            <p class="product">SecureGateway · Go module proxy audit</p>
            <h1>Compliance report</h1>
            <p class="period">{E(period)} <span class="note">(the end is exclusive)</span></p>
            <p class="meta">Generated {E(Time(report.GeneratedAt))}. Current state (licences, open quarantine, checksum-DB heads) as of {E(Time(report.AsOf))}. All times UTC.</p>
            </header>
            <nav><ol>
            """);
        foreach (var (id, title, _) in Sections)
        {
            page.Raw($"<li><a href=\"#{id}\">{E(title)}</a></li>");
        }

        page.Raw("</ol></nav>\n<main>\n");
        Summary(page, report);
        foreach (var (id, title, write) in Sections)
        {
            page.Raw($"<section id=\"{id}\">\n<h2>{E(title)}</h2>\n");
            write(page, report);
            page.Raw("</section>\n");
        }

        page.Raw("""
            </main>
            <footer>Compiled from the gateway's append-only audit database (decisions, audit events, checksum-DB heads, download ledger).
            The hash chain of that database is checked by <code>GET /admin/audit/verify</code> or <code>audit verify</code>.</footer>
            </body>
            </html>

            """);
        return page.ToString();
    }

    private static void Summary(Page page, ComplianceReport report)
    {
        var o = report.Outcomes;
        page.Raw("<section id=\"summary\" class=\"cards\" aria-label=\"Summary\">");
        foreach (var (label, value, css) in new (string, long, string)[]
        {
            ("decisions", o.Decisions, ""), ("admitted", o.Admitted, "admitted"), ("quarantined", o.Quarantined, "quarantined"),
            ("denied", o.Denied, "denied"), ("open in quarantine", report.OpenQuarantine.Count, ""), ("releases", report.Releases.Count, ""),
            ("downloads", report.Consumers.Downloads, ""),
        })
        {
            page.Raw($"<div class=\"card {css}\"><span class=\"figure\">{Count(value)}</span><span class=\"caption\">{E(label)}</span></div>");
        }

        page.Raw("</section>\n");
    }

    private static void Outcomes(Page page, ComplianceReport report)
    {
        var o = report.Outcomes;
        page.Text($"{Count(o.Decisions)} decisions about {Count(o.ModuleVersions)} module versions were recorded in the period, by the gateway and by reviewers.");
        page.Table(["Outcome", "Decisions"],
            [["admitted", Count(o.Admitted)], ["quarantined", Count(o.Quarantined)], ["denied", Count(o.Denied)], ["<strong>total</strong>", $"<strong>{Count(o.Decisions)}</strong>"]],
            numeric: [1], narrow: true);
        if (o.Decisions == 0)
        {
            page.None("No decisions were recorded in this period.");
            return;
        }

        var (chart, caption) = OutcomeChart(report);
        page.Figure(chart, caption);
    }

    /// <summary>The decisions of the period per day (or per several days) stacked by outcome, as an SVG, and its caption; the console's overview shows it too.</summary>
    internal static (string Svg, string Caption) OutcomeChart(ComplianceReport report)
    {
        var bars = OutcomeBars(report);
        var per = bars.Days == 1 ? "day" : $"{bars.Days} days";
        return (SvgCharts.StackedBars($"Decisions per {per} by outcome", bars.Bars, OutcomeSeries), $"Decisions per {per} (UTC), stacked by outcome.");
    }

    /// <summary>The period's denials by reason, most frequent first, as an SVG.</summary>
    internal static string DenialChart(ComplianceReport report) =>
        SvgCharts.HorizontalBars("Denials by reason", TopRows(report.Denials.Select(d => (d.Reason, (long)d.Count))), "#c62828", "denials");

    private static void Rules(Page page, ComplianceReport report)
    {
        page.Text("How each policy rule voted in the period's policy evaluations (the strictest vote decides; reviewers' acts are not evaluations). A policy error is a rule that failed to run; it quarantines.");
        if (report.Rules.Count == 0)
        {
            page.None("No policy evaluations in this period.");
            return;
        }

        page.Table(["Rule", "Denied", "Quarantined", "Admitted", "No opinion", "Policy errors"],
            [.. report.Rules.Select(r => new[] { Code(r.Rule), Count(r.Denied), Count(r.Quarantined), Count(r.Admitted), Count(r.NoOpinion), Count(r.PolicyErrors) })],
            numeric: [1, 2, 3, 4, 5]);
    }

    private static void Denials(Page page, ComplianceReport report)
    {
        page.Text("Denials grouped by their first reason: the rule, verification step or reviewer named before its first colon.");
        if (report.Denials.Count == 0)
        {
            page.None("Nothing was denied in this period.");
            return;
        }

        page.Figure(DenialChart(report), "Denials by reason.");
        page.Table(["Reason", "Denials", "Example"],
            [.. report.Denials.Select(d => new[] { E(d.Reason), Count(d.Count), E(d.Example) })], numeric: [1]);
    }

    private static void Licences(Page page, ComplianceReport report)
    {
        var versions = report.Licences.SelectMany(l => l.Modules).Distinct(StringComparer.Ordinal).Count();
        page.Text($"Licences found in the {Plural(versions, "module version")} admitted as of {When(report.AsOf)}; a version with several licences counts under each.");
        if (report.Licences.Count == 0)
        {
            page.None("No module version is admitted.");
            return;
        }

        page.Figure(SvgCharts.HorizontalBars("Admitted module versions by licence", TopRows(report.Licences.Select(l => (l.Spdx, (long)l.Count))), "#1565c0", "module versions"),
            "Admitted module versions by licence (SPDX id).");
        page.Table(["Licence", "Versions", "Module versions"],
            [.. report.Licences.Select(l => new[]
            {
                E(l.Spdx), Count(l.Count),
                string.Join(", ", l.Modules.Take(ModulesPerLicence).Select(Code))
                    + (l.Modules.Count > ModulesPerLicence ? $" … and {Count(l.Modules.Count - ModulesPerLicence)} more" : ""),
            })],
            numeric: [1]);
    }

    private static void OpenQuarantine(Page page, ComplianceReport report)
    {
        page.Text($"Module versions held for review as of {When(report.AsOf)}, oldest first. They are not served until a reviewer releases them.");
        if (report.OpenQuarantine.Count == 0)
        {
            page.None("No module version is in quarantine.");
            return;
        }

        page.Table(["Module version", "Since", "Age (days)", "Reasons", "Decision"],
            [.. report.OpenQuarantine.Select(q => new[]
            {
                Code($"{q.Module}@{q.Version}"), When(q.Since),
                $"<span class=\"{(q.AgeDays >= 30 ? "old" : "")}\">{q.AgeDays.ToString("0.0", CultureInfo.InvariantCulture)}</span>",
                $"<ul class=\"reasons\">{string.Concat(q.Reasons.Select(r => $"<li>{E(r)}</li>"))}</ul>", Count(q.DecisionId),
            })],
            numeric: [2, 4]);
    }

    private static void Releases(Page page, ComplianceReport report)
    {
        page.Text("Quarantined module versions a reviewer released in the period, with their justification. A release with an expiry is a waiver: when it lapses the version is evaluated again.");
        if (report.Releases.Count == 0)
        {
            page.None("No release from quarantine in this period.");
            return;
        }

        page.Table(["Module version", "Released", "Reviewer", "Justification", "Expires", "Decision"],
            [.. report.Releases.Select(r => new[]
            {
                Code($"{r.Module}@{r.Version}"), When(r.Time), E(r.Reviewer), E(r.Justification),
                r.ExpiresAt is { } expires ? When(expires) + (r.Expired ? " <span class=\"badge quarantined\">expired</span>" : "") : "no expiry",
                Count(r.DecisionId),
            })],
            numeric: [5]);
    }

    private static void Policy(Page page, ComplianceReport report)
    {
        page.Text("Policy bundle revisions that decided in the period, and the one in force when it began; then every bundle loaded or refused.");
        if (report.Policy.Revisions.Count == 0)
        {
            page.None("No policy revision decided in or before this period.");
        }
        else
        {
            page.Table(["Revision", "Evaluations", "First", "Last", "Note"],
                [.. report.Policy.Revisions.Select(r => new[]
                {
                    Code(r.Revision), Count(r.Decisions), r.FirstDecision is { } first ? When(first) : "—", r.LastDecision is { } last ? When(last) : "—",
                    r.InForceAtStart ? "in force when the period began" : "",
                })],
                numeric: [1]);
        }

        page.Raw("<h3>Policy bundle events</h3>\n");
        Events(page, report.Policy.Events, "No policy bundle was loaded or refused in this period.");
    }

    private static void ChecksumDb(Page page, ComplianceReport report)
    {
        var sumdb = report.ChecksumDb;
        page.Text($"Of the gateway's admissions in the period, {Plural(sumdb.AdmissionsVerified, "was", "were")} verified against a checksum database and " +
            $"{Plural(sumdb.AdmissionsNotVerified, "was", "were")} not (private module patterns, or the checksum database switched off).");
        if (sumdb.Databases.Count == 0)
        {
            page.None("No checksum database head has been trusted.");
        }
        else
        {
            page.Table(["Database", "Trusted tree", "Tree hash", "Last verified", "Heads verified in period", "Alarm"],
                [.. sumdb.Databases.Select(d => new[]
                {
                    E(d.Database), d.TrustedHead is { } head ? Count(head.TreeSize) : "—", d.TrustedHead is { } h ? Code(h.TreeHash) : "none trusted",
                    d.TrustedHead is { } verified ? When(verified.VerifiedAt) : "—", Count(d.HeadsVerifiedInPeriod),
                    d.ActiveFork is { } fork
                        ? $"<span class=\"badge denied\">FORK</span> since {When(fork.Time)} (event {Count(fork.Id)}): {E(fork.Summary)}; admissions stopped"
                        : "<span class=\"badge admitted\">none</span>",
                })],
                numeric: [1, 4]);
        }

        page.Raw("<h3>Forks and head resets</h3>\n");
        Events(page, sumdb.Events, "No fork was detected and no head was reset in this period.");
    }

    private static void Consumers(Page page, ComplianceReport report)
    {
        var consumers = report.Consumers;
        page.Text($"Downloads in the period: {Plural(consumers.Downloads, "artefact")}, served to {Plural(consumers.Clients, "client")}. " +
            $"The {ComplianceReportBuilder.TopConsumerCount} clients that pulled most:");
        if (consumers.Top.Count == 0)
        {
            page.None("Nothing was downloaded in this period.");
            return;
        }

        page.Figure(SvgCharts.HorizontalBars("Downloads by client", [.. consumers.Top.Select(c => (c.Client, c.Downloads))], "#6a1b9a", "downloads"),
            "Downloads by client.");
        page.Table(["Client", "Downloads", "Module versions", "Last download"],
            [.. consumers.Top.Select(c => new[] { E(c.Client), Count(c.Downloads), Count(c.ModuleVersions), When(c.LastDownload) })],
            numeric: [1, 2]);
    }

    private static void Events(Page page, IReadOnlyList<ReportEvent> events, string none)
    {
        if (events.Count == 0)
        {
            page.None(none);
            return;
        }

        page.Table(["Time", "Event", "Actor", "Summary"],
            [.. events.Select(e => new[]
            {
                When(e.Time), $"{Code(e.Kind)} <span class=\"note\">#{Count(e.Id)}</span>", E(e.Actor),
                E(e.Summary) + (string.IsNullOrEmpty(e.Evidence) ? "" : $"<details><summary>evidence</summary><pre>{E(e.Evidence)}</pre></details>"),
            })],
            numeric: []);
    }

    /// <summary>The outcome chart's bars: one per UTC day of the period, or per few days so that there are at most <see cref="MaxBars"/>.</summary>
    private static (IReadOnlyList<StackedBar> Bars, int Days) OutcomeBars(ComplianceReport report)
    {
        var first = DateOnly.FromDateTime(report.Period.From.UtcDateTime);
        var last = DateOnly.FromDateTime(report.Period.To.UtcDateTime.AddTicks(-1));
        var days = last.DayNumber - first.DayNumber + 1;
        var perBar = (int)Math.Ceiling(days / (double)MaxBars);
        var counts = new int[(days + perBar - 1) / perBar, 3];
        foreach (var day in report.Daily)
        {
            var index = (DateOnly.ParseExact(day.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber - first.DayNumber) / perBar;
            if (index >= 0 && index < counts.GetLength(0))
            {
                counts[index, 0] += day.Admitted;
                counts[index, 1] += day.Quarantined;
                counts[index, 2] += day.Denied;
            }
        }

        var format = first.Year == last.Year ? "MM-dd" : "yyyy-MM-dd";
        var bars = Enumerable.Range(0, counts.GetLength(0))
            .Select(i => new StackedBar(first.AddDays(i * perBar).ToString(format, CultureInfo.InvariantCulture), [counts[i, 0], counts[i, 1], counts[i, 2]]))
            .ToList();
        return (bars, perBar);
    }

    /// <summary>The first <see cref="ChartRows"/> - 1 rows and, when there are more, one summing the rest.</summary>
    private static List<(string Label, long Value)> TopRows(IEnumerable<(string Label, long Value)> rows)
    {
        var all = rows.ToList();
        if (all.Count <= ChartRows)
        {
            return all;
        }

        var rest = all.Skip(ChartRows - 1).ToList();
        return [.. all.Take(ChartRows - 1), ($"{rest.Count} others", rest.Sum(r => r.Value))];
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A time as markup: kept on one line, machine-readable in its <c>datetime</c>.</summary>
    private static string When(DateTimeOffset time) =>
        $"<time datetime=\"{time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}\">{E(Time(time))}</time>";

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Plural(long count, string noun) => $"{Count(count)} {noun}{(count == 1 ? "" : "s")}";

    private static string Plural(long count, string singularVerb, string pluralVerb) => $"{Count(count)} {(count == 1 ? singularVerb : pluralVerb)}";

    private static string Code(string text) => $"<code>{E(text)}</code>";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The page being written. Everything it is given is markup: callers encode texts with <see cref="E"/>.</summary>
    private sealed class Page
    {
        private readonly StringBuilder html = new();

        public void Raw(string markup) => html.Append(markup);

        public void Text(string markup) => html.Append(CultureInfo.InvariantCulture, $"<p>{markup}</p>\n");

        public void None(string text) => html.Append(CultureInfo.InvariantCulture, $"<p class=\"none\">{E(text)}</p>\n");

        public void Figure(string svg, string caption) =>
            html.Append(CultureInfo.InvariantCulture, $"<figure>{svg}<figcaption>{E(caption)}</figcaption></figure>\n");

        /// <summary>A table; <paramref name="numeric"/> columns are right-aligned, a <paramref name="narrow"/> one is only as wide as its content.</summary>
        public void Table(string[] headings, IReadOnlyList<string[]> rows, int[] numeric, bool narrow = false)
        {
            string Cell(string tag, int column, string markup) =>
                numeric.Contains(column) ? $"<{tag} class=\"num\">{markup}</{tag}>" : $"<{tag}>{markup}</{tag}>";

            html.Append(narrow ? "<table class=\"narrow\">" : "<table>")
                .Append("<thead><tr>").AppendJoin("", headings.Select((h, i) => Cell("th", i, E(h)))).Append("</tr></thead><tbody>\n");
            foreach (var row in rows)
            {
                html.Append("<tr>").AppendJoin("", row.Select((c, i) => Cell("td", i, c))).Append("</tr>\n");
            }

            html.Append("</tbody></table>\n");
        }

        public override string ToString() => html.ToString();
    }

    private const string Css = """

        :root { color-scheme: light; --ink: #1c2530; --muted: #5b6672; --rule: #d9dee3; --band: #f4f6f8; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
        header { padding: 28px 40px 18px; border-bottom: 4px solid #1565c0; background: var(--band); }
        header h1 { margin: 2px 0 6px; font-size: 30px; }
        .product { margin: 0; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; font-size: 12px; }
        .period { margin: 0; font-size: 18px; font-weight: 600; }
        .meta, .note, figcaption, footer { color: var(--muted); font-size: 13px; }
        nav { padding: 10px 40px; border-bottom: 1px solid var(--rule); }
        nav ol { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 14px; }
        nav a { color: #1565c0; text-decoration: none; }
        main { padding: 8px 40px 24px; max-width: 1200px; }
        section { margin: 26px 0 8px; }
        h2 { font-size: 21px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
        h3 { font-size: 16px; margin: 18px 0 6px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 12px; }
        .card { border: 1px solid var(--rule); border-top: 4px solid #90a4ae; border-radius: 4px; padding: 10px 12px; }
        .card.admitted { border-top-color: #2e7d32; } .card.quarantined { border-top-color: #ef8f00; } .card.denied { border-top-color: #c62828; }
        .figure { display: block; font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
        .caption { color: var(--muted); font-size: 13px; }
        table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 14px; }
        th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--rule); overflow-wrap: break-word; }
        th { white-space: nowrap; } time { white-space: nowrap; } table.narrow { width: auto; min-width: 320px; }
        thead th { background: var(--band); border-bottom: 2px solid #b0bac4; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .old { color: #c62828; font-weight: 600; }
        code { font: 13px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
                ul.reasons { margin: 0; padding-left: 18px; }
        .none { color: var(--muted); font-style: italic; }
        .badge { display: inline-block; padding: 0 6px; border-radius: 3px; color: #fff; font-size: 12px; font-weight: 700; }
        .badge.denied { background: #c62828; } .badge.admitted { background: #2e7d32; } .badge.quarantined { background: #ef8f00; }
        figure { margin: 10px 0; }
        svg.chart { display: block; max-width: 100%; height: auto; font-family: inherit; }
        svg .grid { stroke: #e3e7eb; } svg .axis-line { stroke: #8a96a3; }
        svg .axis, svg .legend, svg .label, svg .value { font-size: 12px; fill: #3c4752; }
        svg .legend, svg .label { font-size: 13px; }
        details pre { white-space: pre-wrap; font-size: 12px; background: var(--band); padding: 6px; }
        footer { padding: 14px 40px 30px; border-top: 1px solid var(--rule); }
        @media print {
          nav { display: none; } header { background: none; }
          main, header, footer { padding-left: 0; padding-right: 0; }
          section { break-inside: avoid-page; } tr { break-inside: avoid; }
        }

        """;
}
