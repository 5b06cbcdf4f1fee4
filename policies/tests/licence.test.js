// Tests for licence.js. Run with: policy test (see ../README.md).

function test_permissive_licence_is_admitted() {
  var r = rules.licence(fixture({ licences: [{ spdx: "MIT", file: "LICENSE", confidence: 0.99 }] }));
  assertEqual(r, { decision: "admit", reason: "licence MIT (LICENSE)" });
}

function test_every_allowed_licence_is_admitted() {
  config.licence.allowed.forEach(function (id) {
    var r = rules.licence(fixture({ licences: [{ spdx: id, file: "LICENSE", confidence: 0.97 }] }));
    assertEqual(r.decision, "admit", id);
  });
}

function test_gpl_is_denied_naming_the_licence() {
  var r = rules.licence(fixture({ licences: [{ spdx: "GPL-3.0-only", file: "LICENSE", confidence: 0.98 }] }));
  assertEqual(r, { decision: "deny", reason: "licence GPL-3.0-only (LICENSE) is not allowed" });
}

function test_agpl_and_sspl_are_denied() {
  ["AGPL-3.0-or-later", "SSPL-1.0", "GPL-2.0-only"].forEach(function (id) {
    var r = rules.licence(fixture({ licences: [{ spdx: id, file: "COPYING", confidence: 0.95 }] }));
    assertEqual(r.decision, "deny", id);
    assert(r.reason.indexOf(id) >= 0, "reason names " + id + ": " + r.reason);
  });
}

function test_no_licence_file_is_quarantined() {
  var r = rules.licence(fixture({ licences: [] }));
  assertEqual(r, { decision: "quarantine", reason: "no licence file found" });
}

function test_unrecognised_licence_is_quarantined() {
  var r = rules.licence(fixture({ licences: [{ spdx: "unknown", file: "COPYING", confidence: 0.41 }] }));
  assertEqual(r, { decision: "quarantine", reason: "unrecognised licence in COPYING" });
}

function test_recognised_but_unlisted_licence_is_quarantined_for_review() {
  var r = rules.licence(fixture({ licences: [{ spdx: "LGPL-2.1-only", file: "COPYING.LESSER", confidence: 0.96 }] }));
  assertEqual(r.decision, "quarantine");
  assert(r.reason.indexOf("LGPL-2.1-only (COPYING.LESSER)") >= 0, r.reason);
}

function test_any_denied_licence_among_several_denies() {
  var r = rules.licence(fixture({
    licences: [
      { spdx: "MIT", file: "LICENSE", confidence: 0.99 },
      { spdx: "unknown", file: "third_party/x/LICENSE", confidence: 0.3 },
      { spdx: "AGPL-3.0-only", file: "server/LICENSE", confidence: 0.97 },
    ],
  }));
  assertEqual(r, { decision: "deny", reason: "licence AGPL-3.0-only (server/LICENSE) is not allowed" });
}

function test_unknown_among_several_quarantines() {
  var r = rules.licence(fixture({
    licences: [
      { spdx: "Apache-2.0", file: "LICENSE", confidence: 0.99 },
      { spdx: "unknown", file: "LICENSE.docs", confidence: 0.2 },
    ],
  }));
  assertEqual(r, { decision: "quarantine", reason: "unrecognised licence in LICENSE.docs" });
}

function test_several_permissive_licences_are_admitted() {
  var r = rules.licence(fixture({
    licences: [
      { spdx: "MIT", file: "LICENSE", confidence: 0.99 },
      { spdx: "BSD-3-Clause", file: "internal/fmt/LICENSE", confidence: 0.98 },
    ],
  }));
  assertEqual(r, { decision: "admit", reason: "licences MIT (LICENSE), BSD-3-Clause (internal/fmt/LICENSE)" });
}
