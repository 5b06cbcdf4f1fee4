// repository: quarantine modules whose GitHub repository is archived (no longer maintained: no security
// fixes will come), when config.quarantineArchived is true.
//
// facts.repository is null for modules not hosted on github.com; when the gateway could not fetch the facts
// (rate limit, network, deleted repository) facts.repository.available is false and facts.repository.error
// says why. In both cases this rule has no opinion.
// config: { quarantineArchived: true }

function rule(facts, config) {
  var repo = facts.repository;
  if (repo === null || !repo.available) {
    return null;
  }
  if (repo.archived && config.quarantineArchived !== false) {
    return { decision: "quarantine", reason: "GitHub repository " + repo.owner + "/" + repo.name + " is archived" };
  }
  return null;
}
