// Tests for licence.js. Run with: policy test (see ../README.md).

// Facts with these licence files; the module's terms are the files' terms unless given.
function licensed(files, terms) {
  files.forEach(function (f) { f.terms = f.terms || (f.spdx === "unknown" ? [] : f.spdx.split(" AND ")); });
  var all = terms || files.reduce(function (acc, f) {
    return acc.concat(f.terms.filter(function (t) { return acc.indexOf(t) < 0; }));
  }, []);
  return fixture({ licences: files, licenceTerms: all, licenceExpression: all.length ? all.join(" AND ") : null });
}

function test_permissive_licence_is_admitted() {
  var r = rules.licence(licensed([{ spdx: "MIT", file: "LICENSE", confidence: 0.99 }]));
  assertEqual(r, { decision: "admit", reason: "licence MIT (LICENSE)" });
}

function test_every_allowed_licence_is_admitted() {
  config.licence.allowed.forEach(function (id) {
    var r = rules.licence(licensed([{ spdx: id, file: "LICENSE", confidence: 0.97 }]));
    assertEqual(r.decision, "admit", id);
  });
}

function test_gpl_is_denied_naming_the_licence() {
  var r = rules.licence(licensed([{ spdx: "GPL-3.0-only", file: "LICENSE", confidence: 0.98 }]));
  assertEqual(r, { decision: "deny", reason: "licence GPL-3.0-only (LICENSE) is not allowed" });
}

function test_agpl_and_sspl_are_denied() {
  ["AGPL-3.0-or-later", "SSPL-1.0", "GPL-2.0-only"].forEach(function (id) {
    var r = rules.licence(licensed([{ spdx: id, file: "COPYING", confidence: 0.95 }]));
    assertEqual(r.decision, "deny", id);
    assert(r.reason.indexOf(id) >= 0, "reason names " + id + ": " + r.reason);
  });
}

// The GNU way: COPYING holds the GPL-3.0 the LGPL-3.0 builds on; the module's expression is the LGPL alone.
function test_gpl_text_beside_lgpl_permissions_is_the_lgpl_for_review() {
  var r = rules.licence(licensed([
    { spdx: "GPL-3.0-only", file: "COPYING", confidence: 0.99 },
    { spdx: "LGPL-3.0-only", file: "COPYING.LESSER", confidence: 0.99 },
  ], ["LGPL-3.0-only"]));
  assertEqual(r, { decision: "quarantine", reason: "licence LGPL-3.0-only (COPYING.LESSER) neither allowed nor denied: needs review" });
}

function test_exception_is_allowed_when_named_or_its_licence_is() {
  var files = [{ spdx: "LGPL-3.0-only WITH LGPL-3.0-linking-exception", file: "LICENSE", confidence: 0.99 }];
  var named = rules.licence(licensed(files), { allowed: ["LGPL-3.0-only WITH LGPL-3.0-linking-exception"], denied: ["LGPL-3.0-only"] });
  assertEqual(named, { decision: "admit", reason: "licence LGPL-3.0-only WITH LGPL-3.0-linking-exception (LICENSE)" });
  var base = rules.licence(licensed(files), { allowed: ["LGPL-3.0-only"], denied: [] });
  assertEqual(base.decision, "admit");
  var deniedBase = rules.licence(licensed(files), { allowed: [], denied: ["LGPL-3.0-only"] });
  assertEqual(deniedBase.decision, "deny");
}

function test_two_licences_in_one_file_are_both_judged() {
  var r = rules.licence(licensed([{ spdx: "MIT AND GPL-2.0-only", file: "LICENSE", confidence: 0.97 }]));
  assertEqual(r, { decision: "deny", reason: "licence GPL-2.0-only (LICENSE) is not allowed" });
  var ok = rules.licence(licensed([{ spdx: "MIT AND BSD-3-Clause", file: "LICENSE", confidence: 0.97 }]));
  assertEqual(ok, { decision: "admit", reason: "licences MIT (LICENSE), BSD-3-Clause (LICENSE)" });
}

function test_much_text_besides_the_licence_is_quarantined() {
  var r = rules.licence(licensed([
    { spdx: "MIT", file: "LICENSE", confidence: 0.99, unexplainedWords: 120, unexplained: "except the files in contrib which may not be used" },
  ]));
  assertEqual(r, {
    decision: "quarantine",
    reason: "LICENSE has 120 words besides MIT (\"except the files in contrib which may not be used …\"): needs review",
  });
  var preamble = rules.licence(licensed([{ spdx: "MIT", file: "LICENSE", confidence: 0.99, unexplainedWords: 12, unexplained: "this project is licensed" }]));
  assertEqual(preamble.decision, "admit");
}

function test_no_licence_file_is_quarantined() {
  var r = rules.licence(licensed([]));
  assertEqual(r, { decision: "quarantine", reason: "no licence file found" });
}

function test_unrecognised_licence_is_quarantined() {
  var r = rules.licence(licensed([{ spdx: "unknown", file: "COPYING", confidence: 0.41 }]));
  assertEqual(r, { decision: "quarantine", reason: "unrecognised licence in COPYING" });
}

function test_recognised_but_unlisted_licence_is_quarantined_for_review() {
  var r = rules.licence(licensed([{ spdx: "LGPL-2.1-only", file: "COPYING.LESSER", confidence: 0.96 }]));
  assertEqual(r.decision, "quarantine");
  assert(r.reason.indexOf("LGPL-2.1-only (COPYING.LESSER)") >= 0, r.reason);
}

function test_any_denied_licence_among_several_denies() {
  var r = rules.licence(licensed([
    { spdx: "MIT", file: "LICENSE", confidence: 0.99 },
    { spdx: "unknown", file: "third_party/x/LICENSE", confidence: 0.3 },
    { spdx: "AGPL-3.0-only", file: "server/LICENSE", confidence: 0.97 },
  ]));
  assertEqual(r, { decision: "deny", reason: "licence AGPL-3.0-only (server/LICENSE) is not allowed" });
}

function test_unknown_among_several_quarantines() {
  var r = rules.licence(licensed([
    { spdx: "Apache-2.0", file: "LICENSE", confidence: 0.99 },
    { spdx: "unknown", file: "LICENSE.docs", confidence: 0.2 },
  ]));
  assertEqual(r, { decision: "quarantine", reason: "unrecognised licence in LICENSE.docs" });
}

function test_several_permissive_licences_are_admitted() {
  var r = rules.licence(licensed([
    { spdx: "MIT", file: "LICENSE", confidence: 0.99 },
    { spdx: "BSD-3-Clause", file: "internal/fmt/LICENSE", confidence: 0.98 },
  ]));
  assertEqual(r, { decision: "admit", reason: "licences MIT (LICENSE), BSD-3-Clause (internal/fmt/LICENSE)" });
}

// Facts recorded before the module expression existed are judged by their files' ids.
function test_facts_without_terms_use_the_files() {
  var facts = fixture({ licences: [{ spdx: "GPL-3.0-only", file: "LICENSE", confidence: 0.98 }] });
  delete facts.licenceTerms;
  var r = rules.licence(facts);
  assertEqual(r, { decision: "deny", reason: "licence GPL-3.0-only (LICENSE) is not allowed" });
}
