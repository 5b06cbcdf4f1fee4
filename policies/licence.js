// licence: admit permissively licensed modules, deny strong copyleft, quarantine the rest for review.
//
// facts.licenceTerms are the terms of the module's SPDX expression (facts.licenceExpression), over all its licence
// files: "MIT", "LGPL-3.0-only WITH LGPL-3.0-linking-exception". facts.licences lists every licence file
// ({ spdx, file, confidence, terms, matches, unexplainedWords, unexplained }); spdx is "unknown" when no licence was
// found in the file.
// config: { allowed: [SPDX ids or terms], denied: [SPDX ids], maxUnexplainedWords: number }
//
// A term is denied when its licence is denied and the term itself is not allowed; it is allowed when the term or its
// licence is allowed (an exception only adds permissions). Any denied → deny; else an unrecognised file, a file with
// more than maxUnexplainedWords words besides its licences, or a term not allowed → quarantine; else admit.

function licenceOf(term) {
  return term.split(" WITH ")[0];
}

function rule(facts, config) {
  var allowed = config.allowed || [];
  var denied = config.denied || [];
  var files = facts.licences;
  // Facts recorded before the expression existed have one SPDX id per file.
  var terms = facts.licenceTerms || files.map(function (l) { return l.spdx; })
    .filter(function (id, i, all) { return id !== "unknown" && all.indexOf(id) === i; });

  function filesWith(term) {
    return files.filter(function (l) { return (l.terms || [l.spdx]).indexOf(term) >= 0; })
      .map(function (l) { return l.file; }).join(", ");
  }
  function describe(list) {
    return list.map(function (t) { return t + " (" + filesWith(t) + ")"; }).join(", ");
  }
  function plural(list, one, many) {
    return list.length === 1 ? one : many;
  }

  if (files.length === 0) {
    return { decision: "quarantine", reason: "no licence file found" };
  }

  var bad = terms.filter(function (t) {
    return allowed.indexOf(t) < 0 && (denied.indexOf(t) >= 0 || denied.indexOf(licenceOf(t)) >= 0);
  });
  if (bad.length > 0) {
    return { decision: "deny", reason: plural(bad, "licence ", "licences ") + describe(bad) + plural(bad, " is", " are") + " not allowed" };
  }

  var unknown = files.filter(function (l) { return l.spdx === "unknown"; });
  if (unknown.length > 0) {
    return { decision: "quarantine", reason: "unrecognised licence in " + unknown.map(function (l) { return l.file; }).join(", ") };
  }

  if (typeof config.maxUnexplainedWords === "number") {
    var wordy = files.filter(function (l) { return (l.unexplainedWords || 0) > config.maxUnexplainedWords; });
    if (wordy.length > 0) {
      return {
        decision: "quarantine",
        reason: wordy.map(function (l) {
          return l.file + " has " + l.unexplainedWords + " words besides " + l.spdx + " (\"" + l.unexplained + " …\")";
        }).join("; ") + ": needs review",
      };
    }
  }

  var review = terms.filter(function (t) { return allowed.indexOf(t) < 0 && allowed.indexOf(licenceOf(t)) < 0; });
  if (review.length > 0) {
    return { decision: "quarantine", reason: plural(review, "licence ", "licences ") + describe(review) + " neither allowed nor denied: needs review" };
  }

  return { decision: "admit", reason: plural(terms, "licence ", "licences ") + describe(terms) };
}
