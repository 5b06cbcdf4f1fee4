// malicious: deny versions a known-malicious-package record matches (OpenSSF malicious-packages, OSV MAL- ids),
// whatever their age or licence, naming each record; quarantine when that data is missing or stale.
//
// facts.malicious: [{ id, summary }]; empty when no record matches or the source is off (Gateway:MaliciousPackages).
// facts.freshness.malicious: { state: "fresh" | "stale" | "never" | "off", source, ageHours, maxAgeHours, … }

function rule(facts, config) {
  if (facts.malicious.length > 0) {
    var named = facts.malicious.map(function (m) { return m.id; });
    return { decision: "deny", reason: "known malicious package " + named.join(", ") };
  }
  var data = facts.freshness && facts.freshness.malicious;
  if (data && data.state === "never") {
    return { decision: "quarantine", reason: "malicious-package data from " + data.source + " has never been read: cannot tell whether this version is known malicious" };
  }
  if (data && data.state === "stale") {
    return {
      decision: "quarantine",
      reason: "malicious-package data from " + data.source + " last read " + data.ageHours + " h ago (limit " + data.maxAgeHours +
        " h): cannot tell whether this version is known malicious",
    };
  }
  return null;
}
