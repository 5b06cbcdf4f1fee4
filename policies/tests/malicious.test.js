// Tests for malicious.js.

function record(id) {
  return { id: id, summary: "Malicious code in " + id };
}

function test_known_malicious_version_is_denied_naming_the_record() {
  var r = rules.malicious(fixture({ malicious: [record("MAL-2025-1234")] }));
  assertEqual(r, { decision: "deny", reason: "known malicious package MAL-2025-1234" });
}

function test_old_malicious_version_is_denied_too() {
  var facts = fixture({ malicious: [record("MAL-2025-1234"), record("MAL-2025-9999")] });
  facts.times.ageDays = 4000;
  assertEqual(rules.malicious(facts), { decision: "deny", reason: "known malicious package MAL-2025-1234, MAL-2025-9999" });
}

function test_no_record_has_no_opinion() {
  assertEqual(rules.malicious(fixture({ malicious: [] })), null);
}

function maliciousData(state, ageHours) {
  return { freshness: { malicious: { state: state, source: "/srv/malicious-packages", ageHours: ageHours, maxAgeHours: 24 } } };
}

function test_never_read_data_quarantines() {
  assertEqual(rules.malicious(fixture(maliciousData("never", null))), {
    decision: "quarantine",
    reason: "malicious-package data from /srv/malicious-packages has never been read: cannot tell whether this version is known malicious",
  });
}

function test_stale_data_quarantines() {
  assertEqual(rules.malicious(fixture(maliciousData("stale", 48))), {
    decision: "quarantine",
    reason: "malicious-package data from /srv/malicious-packages last read 48 h ago (limit 24 h): cannot tell whether this version is known malicious",
  });
}

function test_a_match_denies_even_when_the_data_is_stale() {
  var facts = fixture(maliciousData("stale", 48));
  facts.malicious = [record("MAL-2025-1234")];
  assertEqual(rules.malicious(facts).decision, "deny");
}

function test_source_off_has_no_opinion() {
  assertEqual(rules.malicious(fixture(maliciousData("off", null))), null);
}
