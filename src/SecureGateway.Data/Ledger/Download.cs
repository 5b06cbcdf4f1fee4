namespace SecureGateway.Data.Ledger;

/// <summary>
/// An artefact served to one client: who pulled what, and when. Identical pulls written in one batch share a row
/// (<see cref="Count"/> of them, from <see cref="Time"/> to <see cref="LastTime"/>).
/// </summary>
public sealed class Download
{
    /// <summary>The first pull this row stands for.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The last pull this row stands for; null when it stands for one.</summary>
    public DateTimeOffset? LastTime { get; init; }

    /// <summary>How many pulls this row stands for.</summary>
    public int Count { get; init; }

    public required string Module { get; init; }

    public required string Version { get; init; }

    /// <summary><c>info</c>, <c>mod</c> or <c>zip</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Token name or basic-auth user when the client authenticated, else its address.</summary>
    public required string Client { get; init; }

    public string? UserAgent { get; init; }
}
