namespace SecureGateway.Verification.ZipRules;

/// <summary>One broken module zip rule.</summary>
/// <param name="EntryName">The zip entry as stored (with its <c>path@version/</c> prefix); "" for the zip as a whole.</param>
/// <param name="Reason">Go's wording where Go has one, e.g. <c>file path is not clean</c>.</param>
public sealed record ZipViolation(string EntryName, string Reason)
{
    /// <summary><c>file "&lt;entry&gt;": &lt;reason&gt;</c>, or just the reason for the zip as a whole.</summary>
    public override string ToString() =>
        EntryName.Length == 0 ? Reason : $"file {Modules.GoQuote.Quote(EntryName)}: {Reason}";
}
