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

function freshness(state, ageHours) {
  return { freshness: { vulnerabilities: { state: state, source: "https://vuln.go.dev", ageHours: ageHours, maxAgeHours: 24 } } };
}

function test_never_synced_data_quarantines() {
  assertEqual(rules.vulnerabilities(fixture(freshness("never", null))), {
    decision: "quarantine",
    reason: "vulnerability data from https://vuln.go.dev has never been synced: cannot tell whether this version is affected",
  });
}

function test_stale_data_quarantines_with_its_age_and_limit() {
  assertEqual(rules.vulnerabilities(fixture(freshness("stale", 30.5))), {
    decision: "quarantine",
    reason: "vulnerability data from https://vuln.go.dev last synced 30.5 h ago (limit 24 h): cannot tell whether this version is affected",
  });
}

function test_known_vulnerability_denies_even_when_the_data_is_stale() {
  var facts = fixture(freshness("stale", 30.5));
  facts.vulnerabilities = [vuln("GO-2024-1234", "v0.31.0")];
  assertEqual(rules.vulnerabilities(facts).decision, "deny");
}

function test_fresh_or_unused_data_has_no_opinion() {
  assertEqual(rules.vulnerabilities(fixture(freshness("fresh", 0.5))), null);
  assertEqual(rules.vulnerabilities(fixture(freshness("off", null))), null);
}

function test_facts_recorded_before_freshness_was_tracked_have_no_opinion() {
  var facts = fixture();
  facts.freshness = null;
  assertEqual(rules.vulnerabilities(facts), null);
}
