// vulnerabilities: deny versions affected by a known vulnerability (Go vulnerability database), naming
// each vulnerability and its first fixed version.
//
// facts.vulnerabilities: [{ id, aliases, summary, fixedIn }], fixedIn null when no version fixes it.
// config: { ignore: [ids or aliases the security team has accepted, e.g. "GO-2024-1234" or "CVE-2024-0001"] }
// No vulnerabilities → no opinion (the database may not know everything).

function rule(facts, config) {
  var ignore = config.ignore || [];
  var accepted = function (v) {
    return ignore.indexOf(v.id) >= 0 || v.aliases.some(function (a) { return ignore.indexOf(a) >= 0; });
  };
  var affecting = facts.vulnerabilities.filter(function (v) { return !accepted(v); });
  if (affecting.length === 0) {
    return null;
  }
  var named = affecting.map(function (v) {
    return v.id + (v.fixedIn ? " (fixed in " + v.fixedIn + ")" : " (no fixed version)");
  });
  return { decision: "deny", reason: "known vulnerabilit" + (named.length === 1 ? "y " : "ies ") + named.join(", ") };
}
