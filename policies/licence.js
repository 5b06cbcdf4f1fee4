// licence: admit permissively licensed modules, deny strong copyleft, quarantine the rest for review.
//
// facts.licences lists every licence file found in the module zip ({ spdx, file, confidence });
// spdx is "unknown" when the text matched no known licence closely enough.
// config: { allowed: [SPDX ids], denied: [SPDX ids] }
//
// Several licences: any denied → deny; else any unrecognised or not allowed → quarantine; else admit.

function describe(licences) {
  return licences.map(function (l) { return l.spdx + " (" + l.file + ")"; }).join(", ");
}

function rule(facts, config) {
  var allowed = config.allowed || [];
  var denied = config.denied || [];
  var licences = facts.licences;

  if (licences.length === 0) {
    return { decision: "quarantine", reason: "no licence file found" };
  }

  var bad = licences.filter(function (l) { return denied.indexOf(l.spdx) >= 0; });
  if (bad.length > 0) {
    return {
      decision: "deny",
      reason: (bad.length === 1 ? "licence " : "licences ") + describe(bad) + (bad.length === 1 ? " is" : " are") + " not allowed",
    };
  }

  var unknown = licences.filter(function (l) { return l.spdx === "unknown"; });
  if (unknown.length > 0) {
    return {
      decision: "quarantine",
      reason: "unrecognised licence in " + unknown.map(function (l) { return l.file; }).join(", "),
    };
  }

  var review = licences.filter(function (l) { return allowed.indexOf(l.spdx) < 0; });
  if (review.length > 0) {
    return {
      decision: "quarantine",
      reason: (review.length === 1 ? "licence " : "licences ") + describe(review) + " neither allowed nor denied: needs review",
    };
  }

  return { decision: "admit", reason: (licences.length === 1 ? "licence " : "licences ") + describe(licences) };
}
