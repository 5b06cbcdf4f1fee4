namespace SecureGateway.Audit;

/// <summary>The <c>Gateway:Audit</c> section: signed checkpoints that anchor the audit chain outside the database.</summary>
public sealed record AuditCheckpointOptions
{
    public const string Section = "Gateway:Audit";

    /// <summary>The signer key (<c>PRIVATE+KEY+name+hash+…</c>, Go's note format), e.g. from a secret store; wins over <see cref="CheckpointKeyFile"/>.</summary>
    public string? CheckpointKey { get; init; }

    /// <summary>File holding the signer key; created with a new key (0600) when absent. Default: <c>{DataDir}/audit-checkpoint.key</c>.</summary>
    public string? CheckpointKeyFile { get; init; }

    /// <summary>Where each new checkpoint goes: a file it is appended to, or an https URL it is POSTed to; empty: kept only at <c>/admin/audit/checkpoint</c>.</summary>
    public string? CheckpointTo { get; init; }

    /// <summary>How often a checkpoint is made and sent when the chain has grown.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromHours(1);
}
