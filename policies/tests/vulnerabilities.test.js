// Tests for vulnerabilities.js.

function vuln(id, fixedIn, aliases) {
  return { id: id, aliases: aliases || [], summary: "Something bad in " + id, fixedIn: fixedIn };
}

function test_vulnerable_version_is_denied_with_fixed_version() {
  var r = rules.vulnerabilities(fixture({ vulnerabilities: [vuln("GO-2024-1234", "v0.31.0")] }));
  assertEqual(r, { decision: "deny", reason: "known vulnerability GO-2024-1234 (fixed in v0.31.0)" });
}

function test_several_vulnerabilities_are_all_named() {
  var r = rules.vulnerabilities(fixture({
    vulnerabilities: [vuln("GO-2024-1234", "v0.31.0"), vuln("GO-2023-0042", null)],
  }));
  assertEqual(r, {
    decision: "deny",
    reason: "known vulnerabilities GO-2024-1234 (fixed in v0.31.0), GO-2023-0042 (no fixed version)",
  });
}

function test_no_vulnerabilities_has_no_opinion() {
  assertEqual(rules.vulnerabilities(fixture({ vulnerabilities: [] })), null);
}

function test_ignored_vulnerability_by_alias_has_no_opinion() {
  var facts = fixture({ vulnerabilities: [vuln("GO-2024-1234", "v0.31.0", ["CVE-2024-0001"])] });
  assertEqual(rules.vulnerabilities(facts, { ignore: ["CVE-2024-0001"] }), null);
}
