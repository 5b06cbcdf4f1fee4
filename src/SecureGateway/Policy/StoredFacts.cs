using SecureGateway.Data.Decisions;

namespace SecureGateway.Policy;

/// <summary>
/// Facts as recorded with a decision, read back for replay (policy eval, impact, re-evaluation): the age is brought
/// up to now and the denylist match is taken from the bundle that will evaluate them.
/// </summary>
public static class StoredFacts
{
    public static ModuleFacts? Of(Decision decision, PolicyBundle bundle, DateTimeOffset now)
    {
        if (decision.Facts is null)
        {
            return null;
        }

        var facts = PolicyJson.Deserialize(decision.Facts);
        return facts with
        {
            Times = ModuleFacts.Age(now, facts.Times.FirstSeen, facts.Times.Info, facts.Times.Published),
            Denylist = bundle.Denylist.Match(decision.Module, decision.Version),
        };
    }
}
