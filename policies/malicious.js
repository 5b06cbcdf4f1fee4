// malicious: deny versions a known-malicious-package record matches (OpenSSF malicious-packages, OSV MAL- ids),
// whatever their age or licence, naming each record.
//
// facts.malicious: [{ id, summary }]; empty when no record matches or the source is off (Gateway:MaliciousPackages).

function rule(facts, config) {
  if (facts.malicious.length === 0) {
    return null;
  }
  var named = facts.malicious.map(function (m) { return m.id; });
  return { decision: "deny", reason: "known malicious package " + named.join(", ") };
}
