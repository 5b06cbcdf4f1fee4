// Tests for repository.js.

function test_archived_repository_is_quarantined() {
  var r = rules.repository(fixture({ repository: { owner: "old", name: "lib", archived: true } }));
  assertEqual(r, { decision: "quarantine", reason: "GitHub repository old/lib is archived" });
}

function test_archived_repository_is_allowed_when_configured_off() {
  var facts = fixture({ repository: { archived: true } });
  assertEqual(rules.repository(facts, { quarantineArchived: false }), null);
}

function test_active_repository_has_no_opinion() {
  assertEqual(rules.repository(fixture({ repository: { archived: false } })), null);
}

function test_unavailable_repository_facts_have_no_opinion() {
  var facts = fixture({ repository: { available: false, archived: false, error: "rate limited" } });
  assertEqual(rules.repository(facts), null);
}

function test_non_github_module_has_no_opinion() {
  assertEqual(rules.repository(fixture({ repository: null })), null);
}
