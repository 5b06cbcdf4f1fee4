namespace SecureGateway.Verification.ChecksumDb;

/// <summary>Why a note could not be opened or signed.</summary>
public enum NoteFailure
{
    /// <summary>Not a note: invalid UTF-8, a control character, no blank line before the signatures, a bad
    /// signature line, more than 100 signatures; or (signing) text not ending in "\n".</summary>
    Malformed,

    /// <summary>Well formed, but no signature is from a known key (Go's UnverifiedNoteError).</summary>
    Unverified,

    /// <summary>A known key's signature does not verify (Go's InvalidSignatureError): the whole note is rejected.</summary>
    InvalidSignature,

    /// <summary>Larger than <see cref="Notes.MaxNoteSize"/>; refused before parsing.</summary>
    TooLarge,

    /// <summary>Two known verifiers share the signature's name and key hash (Go's ambiguousVerifierError).</summary>
    AmbiguousKey,
}
