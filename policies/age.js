// age: quarantine versions younger than config.minimumDays, so that a hijacked or malicious release has
// time to be noticed and withdrawn before it enters the company.
//
// facts.times.ageDays is measured from facts.times.ageSource: the module index's publication time ("index",
// which the publisher cannot backdate); where the index applies but does not list the version after catching up,
// the time this gateway first saw it ("notIndexed": it is new); where the index applies but could not be read up
// to now, nothing ("unknown": quarantined); where no index applies (off, private modules), the .info Time ("info",
// the commit time, which the publisher controls), else the time this gateway first saw it ("firstSeen").
// config: { minimumDays: 7 }

var SOURCES = {
  index: "module index",
  info: ".info Time, publisher-controlled",
  firstSeen: "first seen by this gateway",
  notIndexed: "not in the module index yet; first seen by this gateway",
  checksumDb: "module index unreadable; in a checksum DB tree this gateway verified then, so at least that old",
};

function days(n) {
  // Round down, so that 6.96 days is never shown as "7.0 days ... younger than 7 days".
  return (Math.floor(Math.abs(n) * 10) / 10).toFixed(1) + (n < 0 ? " days in the future" : " days ago");
}

function rule(facts, config) {
  var minimumDays = typeof config.minimumDays === "number" ? config.minimumDays : 7;
  var times = facts.times;
  if (times.ageSource === "unknown") {
    return { decision: "quarantine", reason: "age unknown: the module index could not be read up to now (the .info Time is the publisher's, not trusted)" };
  }
  var source = SOURCES[times.ageSource] || times.ageSource;
  var when = "published " + days(times.ageDays) + " (" + source + ")";

  if (times.ageDays < minimumDays) {
    return { decision: "quarantine", reason: when + " — younger than " + minimumDays + " days" };
  }
  return { decision: "admit", reason: when };
}
