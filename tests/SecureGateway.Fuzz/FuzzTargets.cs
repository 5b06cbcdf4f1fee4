using SecureGateway.Fuzz.Targets;

namespace SecureGateway.Fuzz;

/// <summary>Every target the command runs, in the order it runs them.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        ModulePathTargets.Path,
        ModulePathTargets.Version,
        ModulePathTargets.Request,
        ModuleZipTarget.Zip,
        ModuleZipTarget.Bytes,
        NoteTargets.Note,
        NoteTargets.Bytes,
        TlogTargets.Proofs,
        TlogTargets.Tiles,
    ];
}
