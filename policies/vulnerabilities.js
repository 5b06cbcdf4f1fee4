// vulnerabilities: deny versions affected by a known vulnerability (Go vulnerability database), naming
// each vulnerability and its first fixed version; quarantine when the vulnerability data is missing or stale.
//
// facts.vulnerabilities: [{ id, aliases, summary, fixedIn }], fixedIn null when no version fixes it.
// facts.freshness.vulnerabilities: { state: "fresh" | "stale" | "never" | "off", source, ageHours, maxAgeHours, … }
// config: { ignore: [ids or aliases the security team has accepted, e.g. "GO-2024-1234" or "CVE-2024-0001"] }
// No vulnerabilities in current data → no opinion (the database may not know everything). An empty or old
// mirror would say "no vulnerabilities" too, so it quarantines instead; "off" means the source is not used here.

function rule(facts, config) {
  var ignore = config.ignore || [];
  var accepted = function (v) {
    return ignore.indexOf(v.id) >= 0 || v.aliases.some(function (a) { return ignore.indexOf(a) >= 0; });
  };
  var affecting = facts.vulnerabilities.filter(function (v) { return !accepted(v); });
  if (affecting.length > 0) {
    var named = affecting.map(function (v) {
      return v.id + (v.fixedIn ? " (fixed in " + v.fixedIn + ")" : " (no fixed version)");
    });
    return { decision: "deny", reason: "known vulnerabilit" + (named.length === 1 ? "y " : "ies ") + named.join(", ") };
  }
  var data = facts.freshness && facts.freshness.vulnerabilities;
  if (data && data.state === "never") {
    return { decision: "quarantine", reason: "vulnerability data from " + data.source + " has never been synced: cannot tell whether this version is affected" };
  }
  if (data && data.state === "stale") {
    return {
      decision: "quarantine",
      reason: "vulnerability data from " + data.source + " last synced " + data.ageHours + " h ago (limit " + data.maxAgeHours +
        " h): cannot tell whether this version is affected",
    };
  }
  return null;
}
