namespace SecureGateway.Data.Ledger;

/// <summary>One artefact served to one client: who pulled what, and when.</summary>
public sealed class Download
{
    public DateTimeOffset Time { get; init; }

    public required string Module { get; init; }

    public required string Version { get; init; }

    /// <summary><c>info</c>, <c>mod</c> or <c>zip</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Token name or basic-auth user when the client authenticated, else its address.</summary>
    public required string Client { get; init; }

    public string? UserAgent { get; init; }
}
