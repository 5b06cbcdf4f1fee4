namespace SecureGateway.Modules;

/// <summary>A module path and version, both unescaped and already validated (Go's <c>module.Version</c>).</summary>
public readonly record struct ModuleVersion(string Path, string Version)
{
    public override string ToString() => $"{Path}@{Version}";
}
