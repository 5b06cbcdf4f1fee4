using System.Globalization;
using System.Text;

namespace SecureGateway.Reports;

/// <summary>
/// The report as one RFC 4180 table that a spreadsheet opens as is (UTF-8 with a byte-order mark, CRLF line ends,
/// fields quoted when they hold a comma, quote or line break). Every row has the same columns, <see cref="Header"/>;
/// the first, <c>section</c>, says what the row is, so filtering on it gives one section:
/// <list type="table">
/// <item><term>report</term><description>key from, to (exclusive), generatedAt, asOf; time</description></item>
/// <item><term>outcomes</term><description>key decisions, admitted, denied, quarantined, moduleVersions; value the count</description></item>
/// <item><term>daily</term><description>key the outcome, time the UTC day, value the count (days with decisions)</description></item>
/// <item><term>rules</term><description>key the rule, detail the verdict (denied, quarantined, admitted, no opinion, policy error), value the count</description></item>
/// <item><term>licences</term><description>key the SPDX id, value how many admitted versions carry it</description></item>
/// <item><term>licence-modules</term><description>key the SPDX id, module, version</description></item>
/// <item><term>open-quarantine</term><description>id the decision, module, version, time since, value the age in days, detail the reasons one per line</description></item>
/// <item><term>releases</term><description>id the decision, module, version, time, until the expiry, value expired / in force / no expiry, actor the reviewer, detail the justification</description></item>
/// <item><term>denials</term><description>key the reason (the text before its first colon), value the count, detail an example</description></item>
/// <item><term>policy-revisions</term><description>key the revision, value its evaluations, time the first, until the last, detail "in force at start"</description></item>
/// <item><term>policy-events, checksum-db-events</term><description>key the kind, id the event, value the subject, time, actor, detail the summary</description></item>
/// <item><term>checksum-db</term><description>key admissionsVerified, admissionsNotVerified; value the count</description></item>
/// <item><term>checksum-db-head</term><description>key the database, value the tree size (empty: none trusted), time verified, detail the tree hash</description></item>
/// <item><term>checksum-db-alarm</term><description>key the database, value fork or none, id, time, actor and detail of the fork event</description></item>
/// <item><term>checksum-db-heads-verified</term><description>key the database, value the heads verified in the period</description></item>
/// <item><term>consumers</term><description>key downloads, clients; value the count</description></item>
/// <item><term>top-consumers</term><description>key the client, value its downloads, time its last download, detail "N module versions"</description></item>
/// </list>
/// A text field that a spreadsheet would take for a formula (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or
/// carriage return) is prefixed with <c>'</c>: client names and justifications are not trusted.
/// </summary>
public static class CsvReport
{
    public static readonly IReadOnlyList<string> Header = ["section", "key", "value", "id", "module", "version", "time", "until", "actor", "detail"];

    public static string Render(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new CsvWriter();
        csv.Row(Header);

        csv.Fact("report", "from", time: report.Period.From);
        csv.Fact("report", "to", time: report.Period.To);
        csv.Fact("report", "generatedAt", time: report.GeneratedAt);
        csv.Fact("report", "asOf", time: report.AsOf);

        var outcomes = report.Outcomes;
        csv.Fact("outcomes", "decisions", outcomes.Decisions);
        csv.Fact("outcomes", "admitted", outcomes.Admitted);
        csv.Fact("outcomes", "denied", outcomes.Denied);
        csv.Fact("outcomes", "quarantined", outcomes.Quarantined);
        csv.Fact("outcomes", "moduleVersions", outcomes.ModuleVersions);
        foreach (var day in report.Daily)
        {
            var date = DateTimeOffset.ParseExact(day.Day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            foreach (var (outcome, count) in new[] { ("admitted", day.Admitted), ("denied", day.Denied), ("quarantined", day.Quarantined) })
            {
                csv.Fact("daily", outcome, count, time: date, dateOnly: true);
            }
        }

        foreach (var rule in report.Rules)
        {
            foreach (var (verdict, count) in new[]
            {
                ("denied", rule.Denied), ("quarantined", rule.Quarantined), ("admitted", rule.Admitted),
                ("no opinion", rule.NoOpinion), ("policy error", rule.PolicyErrors),
            }.Where(v => v.Item2 > 0))
            {
                csv.Fact("rules", rule.Rule, count, detail: verdict);
            }
        }

        foreach (var licence in report.Licences)
        {
            csv.Fact("licences", licence.Spdx, licence.Count);
        }

        foreach (var licence in report.Licences)
        {
            foreach (var module in licence.Modules)
            {
                var at = module.LastIndexOf('@');
                csv.Row(["licence-modules", licence.Spdx, "", "", module[..at], module[(at + 1)..], "", "", "", ""]);
            }
        }

        foreach (var item in report.OpenQuarantine)
        {
            csv.Row(["open-quarantine", $"{item.Module}@{item.Version}", Number(item.AgeDays), Number(item.DecisionId), item.Module, item.Version,
                Time(item.Since), "", "", string.Join('\n', item.Reasons)]);
        }

        foreach (var release in report.Releases)
        {
            var status = release.ExpiresAt is null ? "no expiry" : release.Expired ? "expired" : "in force";
            csv.Row(["releases", $"{release.Module}@{release.Version}", status, Number(release.DecisionId), release.Module, release.Version,
                Time(release.Time), Time(release.ExpiresAt), release.Reviewer, release.Justification]);
        }

        foreach (var denial in report.Denials)
        {
            csv.Fact("denials", denial.Reason, denial.Count, detail: denial.Example);
        }

        foreach (var revision in report.Policy.Revisions)
        {
            csv.Row(["policy-revisions", revision.Revision, Number(revision.Decisions), "", "", "",
                Time(revision.FirstDecision), Time(revision.LastDecision), "", revision.InForceAtStart ? "in force at start" : ""]);
        }

        Events(csv, "policy-events", report.Policy.Events);

        var sumdb = report.ChecksumDb;
        csv.Fact("checksum-db", "admissionsVerified", sumdb.AdmissionsVerified);
        csv.Fact("checksum-db", "admissionsNotVerified", sumdb.AdmissionsNotVerified);
        foreach (var database in sumdb.Databases)
        {
            var head = database.TrustedHead;
            csv.Row(["checksum-db-head", database.Database, head is null ? "" : Number(head.TreeSize), "", "", "", Time(head?.VerifiedAt), "", "", head?.TreeHash ?? "none trusted"]);
            var fork = database.ActiveFork;
            csv.Row(["checksum-db-alarm", database.Database, fork is null ? "none" : "fork", fork is null ? "" : Number(fork.Id), "", "",
                Time(fork?.Time), "", fork?.Actor ?? "", fork?.Summary ?? ""]);
            csv.Fact("checksum-db-heads-verified", database.Database, database.HeadsVerifiedInPeriod);
        }

        Events(csv, "checksum-db-events", sumdb.Events);

        csv.Fact("consumers", "downloads", report.Consumers.Downloads);
        csv.Fact("consumers", "clients", report.Consumers.Clients);
        foreach (var consumer in report.Consumers.Top)
        {
            csv.Fact("top-consumers", consumer.Client, consumer.Downloads, time: consumer.LastDownload, detail: $"{Number(consumer.ModuleVersions)} module versions");
        }

        return csv.ToString();
    }

    private static void Events(CsvWriter csv, string section, IEnumerable<ReportEvent> events)
    {
        foreach (var e in events)
        {
            csv.Row([section, e.Kind, e.Subject, Number(e.Id), "", "", Time(e.Time), "", e.Actor, e.Summary]);
        }
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "";

    private sealed class CsvWriter
    {
        private readonly StringBuilder text = new("\uFEFF");

        public void Fact(string section, string key, double? value = null, DateTimeOffset? time = null, bool dateOnly = false, string detail = "") =>
            Row([section, key, value is { } v ? Number(v) : "", "", "", "",
                dateOnly ? time?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "" : Time(time), "", "", detail]);

        public void Row(IReadOnlyList<string> fields)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(',');
                }

                Field(fields[i]);
            }

            text.Append("\r\n");
        }

        public override string ToString() => text.ToString();

        private void Field(string value)
        {
            if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !double.TryParse(value, CultureInfo.InvariantCulture, out _))
            {
                value = "'" + value;
            }

            if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
            {
                text.Append(value);
                return;
            }

            text.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
    }
}
