namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A note that cannot be opened or signed. <see cref="Exception.Message"/> is Go's text: "malformed note",
/// "note has no verifiable signatures", "invalid signature for key name+hhhhhhhh", "ambiguous key name+hhhhhhhh",
/// "note too large".
/// </summary>
#pragma warning disable CA1032 // The standard constructors would allow an exception without a failure kind.
public sealed class NoteException : Exception
#pragma warning restore CA1032
{
    internal NoteException(NoteFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    /// <summary>What went wrong.</summary>
    public NoteFailure Failure { get; }

    internal static NoteException Malformed() => new(NoteFailure.Malformed, "malformed note");
}
