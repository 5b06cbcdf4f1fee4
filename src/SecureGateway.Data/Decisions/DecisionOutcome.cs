namespace SecureGateway.Data.Decisions;

/// <summary>What the gateway decided about one module version. Stored as its lower-case name.</summary>
public enum DecisionOutcome
{
    /// <summary>The version is served from the cache.</summary>
    Admitted,

    /// <summary>The version is refused for good (until a reviewer acts).</summary>
    Denied,

    /// <summary>The version is held apart, awaiting human review; not served.</summary>
    Quarantined,
}
