namespace SecureGateway.Modules;

/// <summary>Which of Go's three path grammars applies (module.pathKind).</summary>
internal enum PathKind
{
    /// <summary>A module path: ASCII letters, digits and <c>-._~</c>; no leading dot in any element.</summary>
    Module,

    /// <summary>A package import path: the module set plus <c>+</c>.</summary>
    Import,

    /// <summary>A file path inside a module: Unicode letters, digits, space and <c>!#$%&amp;()+,-.=@[]^_{}~</c>.</summary>
    File,
}
