// Tests for age.js.

function times(ageDays, ageSource) {
  return fixture({ times: { ageDays: ageDays, ageSource: ageSource } });
}

function test_young_version_from_index_is_quarantined() {
  var r = rules.age(times(2.1, "index"));
  assertEqual(r, { decision: "quarantine", reason: "published 2.1 days ago (module index) — younger than 7 days" });
}

function test_young_version_by_info_time_says_publisher_controlled() {
  var r = rules.age(times(3.55, "info"));
  assertEqual(r, { decision: "quarantine", reason: "published 3.5 days ago (.info Time, publisher-controlled) — younger than 7 days" });
}

function test_young_version_by_first_seen_says_so() {
  var r = rules.age(times(0.25, "firstSeen"));
  assertEqual(r, { decision: "quarantine", reason: "published 0.2 days ago (first seen by this gateway) — younger than 7 days" });
}

function test_just_under_the_minimum_is_not_rounded_up() {
  var r = rules.age(times(6.96, "index"));
  assertEqual(r.decision, "quarantine");
  assert(r.reason.indexOf("6.9 days ago") >= 0, r.reason);
}

function test_old_version_is_admitted() {
  var r = rules.age(times(400, "index"));
  assertEqual(r, { decision: "admit", reason: "published 400.0 days ago (module index)" });
}

function test_exactly_the_minimum_is_admitted() {
  assertEqual(rules.age(times(7, "info")).decision, "admit");
}

function test_future_time_is_quarantined() {
  var r = rules.age(times(-1.5, "info"));
  assertEqual(r.decision, "quarantine");
  assert(r.reason.indexOf("1.5 days in the future") >= 0, r.reason);
}

function test_minimum_days_comes_from_config() {
  assertEqual(rules.age(times(10, "index"), { minimumDays: 14 }).decision, "quarantine");
  assertEqual(rules.age(times(10, "index"), { minimumDays: 7 }).decision, "admit");
}

function test_not_in_the_index_yet_is_new_whatever_the_info_time() {
  var r = rules.age(times(0.01, "notIndexed"));
  assertEqual(r, { decision: "quarantine", reason: "published 0.0 days ago (not in the module index yet; first seen by this gateway) — younger than 7 days" });
}

function test_unknown_age_is_quarantined() {
  var r = rules.age(times(0, "unknown"));
  assertEqual(r.decision, "quarantine");
  assert(r.reason.indexOf("age unknown") === 0, r.reason);
}

function test_index_unreadable_but_long_in_the_checksum_db_is_old_enough() {
  var r = rules.age(times(30, "checksumDb"));
  assertEqual(r, { decision: "admit", reason: "published 30.0 days ago (module index unreadable; in a checksum DB tree this gateway verified then, so at least that old)" });
}
