// Tests for denylist.js.

function test_denylisted_version_is_denied_naming_the_line() {
  var r = rules.denylist(fixture({ denylist: { lineNumber: 3, line: "github.com/evil/*" } }));
  assertEqual(r, { decision: "deny", reason: "denylisted by line 3: github.com/evil/*" });
}

function test_constraint_lines_are_named_whole() {
  var r = rules.denylist(fixture({ denylist: { lineNumber: 12, line: "golang.org/x/crypto >=v0.25.0 <v0.31.0" } }));
  assertEqual(r.reason, "denylisted by line 12: golang.org/x/crypto >=v0.25.0 <v0.31.0");
}

function test_no_match_has_no_opinion() {
  assertEqual(rules.denylist(fixture({ denylist: null })), null);
}
