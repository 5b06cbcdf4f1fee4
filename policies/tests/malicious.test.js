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
