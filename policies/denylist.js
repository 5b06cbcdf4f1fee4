// denylist: deny module versions matched by an entry of denylist.txt.
//
// The gateway matches the module path and version against denylist.txt and puts the first matching line
// in facts.denylist ({ lineNumber, line }), or null when no line matches. No config.

function rule(facts, config) {
  var match = facts.denylist;
  if (match === null) {
    return null;
  }
  return { decision: "deny", reason: "denylisted by line " + match.lineNumber + ": " + match.line };
}
