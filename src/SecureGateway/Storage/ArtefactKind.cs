namespace SecureGateway.Storage;

/// <summary>The three files of a module version, named as the GOPROXY protocol names them.</summary>
public enum ArtefactKind
{
    Info,
    Mod,
    Zip,
}

public static class ArtefactKinds
{
    public static string Extension(this ArtefactKind kind) => kind switch
    {
        ArtefactKind.Info => "info",
        ArtefactKind.Mod => "mod",
        _ => "zip",
    };

    public static string ContentType(this ArtefactKind kind) => kind switch
    {
        ArtefactKind.Info => "application/json",
        ArtefactKind.Mod => "text/plain; charset=utf-8",
        _ => "application/zip",
    };
}
