using System.Text;
using SecureGateway.Verification.ChecksumDb;
using static SecureGateway.Core.Tests.Verification.ChecksumDb.Notes.NoteVectors;
using SignedNotes = SecureGateway.Verification.ChecksumDb.Notes;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Notes;

/// <summary>note_test.go TestSign, and Sign → Open round trips.</summary>
public sealed class NotesSignTests
{
    private static readonly NoteSigner PeterSigner = NoteSigner.Parse(PeterSignerKey);

    // Ed25519 is deterministic: the output is byte for byte Go's.
    [Fact]
    public void Sign_PeterNeumannKey_GoOutput() =>
        Assert.Equal(Text + "\n" + PeterSig, Encoding.UTF8.GetString(SignedNotes.Sign(Text, PeterSigner)));

    [Fact]
    public void Sign_NoteWithOldSignatureBySameKey_Replaced()
    {
        var note = new Note(Text, [new NoteSignature("PeterNeumann", PeterHash, "BADSIGN=")], []);
        Assert.Equal(Text + "\n" + PeterSig, Encoding.UTF8.GetString(SignedNotes.Sign(note, PeterSigner)));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("abc\n\r")]
    [InlineData("a\u0001\n")]
    public void Sign_TextNotANoteText_Malformed(string text)
    {
        var error = Assert.Throws<NoteException>(() => SignedNotes.Sign(text, PeterSigner));
        Assert.Equal(NoteFailure.Malformed, error.Failure);
        Assert.Equal("malformed note", error.Message);
    }

    // Built at run time: a lone surrogate does not survive as an attribute argument.
    [Fact]
    public void Sign_TextWithUnpairedSurrogate_Malformed() =>
        Assert.Equal(NoteFailure.Malformed, Assert.Throws<NoteException>(() => SignedNotes.Sign("a" + (char)0xD800 + "\n", PeterSigner)).Failure);

    [Theory]
    [InlineData("a+b", 0u, "ABCD")]
    [InlineData("PeterNeumann", PeterHash, "BADHASH=")]
    [InlineData("PeterNeumann", PeterHash, "not base64")]
    [InlineData("PeterNeumann", PeterHash, "x08g")]
    public void Sign_BadExistingSignature_Malformed(string name, uint hash, string base64)
    {
        var note = new Note(Text, [new NoteSignature(name, hash, base64)], []);
        Assert.Equal(NoteFailure.Malformed, Assert.Throws<NoteException>(() => SignedNotes.Sign(note)).Failure);
    }

    [Fact]
    public void SignThenOpen_GeneratedKey_Verified()
    {
        (string signerKey, string verifierKey) = NoteSigner.GenerateKey("example.com/sumdb");
        const string text = "go.sum database tree\n42\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
        byte[] message = SignedNotes.Sign(text, NoteSigner.Parse(signerKey));
        Note note = SignedNotes.Open(message, [NoteVerifier.Parse(verifierKey)]);
        Assert.Equal(text, note.Text);
        NoteSignature signature = Assert.Single(note.Signatures);
        Assert.Equal("example.com/sumdb", signature.Name);
        Assert.Equal(NoteVerifier.Parse(verifierKey).KeyHash, signature.KeyHash);
        Assert.Empty(note.UnverifiedSignatures);
    }

    [Fact]
    public void SignThenOpen_LocaldevTestKeys_Verified()
    {
        const string text = "go.sum database tree\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        byte[] message = SignedNotes.Sign(text, NoteSigner.Parse(LocaldevSignerKey));
        Assert.StartsWith(text + "\n\u2014 localhost.localdev/sumdb AAAMZ", Encoding.UTF8.GetString(message), StringComparison.Ordinal);
        Assert.Single(SignedNotes.Open(message, [NoteVerifier.Parse(LocaldevVerifierKey)]).Signatures);
    }

    // Non-ASCII text and DEL (0x7f) are allowed; only ASCII controls but '\n' are not.
    [Fact]
    public void SignThenOpen_NonAsciiText_Verified()
    {
        (string signerKey, string verifierKey) = NoteSigner.GenerateKey("Señor");
        const string text = "héllo \u2014 wörld \U0001F600 \u007f\n";
        Note note = SignedNotes.Open(SignedNotes.Sign(text, NoteSigner.Parse(signerKey)), [NoteVerifier.Parse(verifierKey)]);
        Assert.Equal(text, note.Text);
        Assert.Equal("Señor", Assert.Single(note.Signatures).Name);
    }

    [Fact]
    public void SignThenOpen_TwoSigners_BothInOrder()
    {
        (string firstSigner, string firstVerifier) = NoteSigner.GenerateKey("first");
        (string secondSigner, string secondVerifier) = NoteSigner.GenerateKey("second");
        byte[] message = SignedNotes.Sign(Text, NoteSigner.Parse(firstSigner), NoteSigner.Parse(secondSigner));

        Note both = SignedNotes.Open(message, [NoteVerifier.Parse(secondVerifier), NoteVerifier.Parse(firstVerifier)]);
        Assert.Equal(["first", "second"], both.Signatures.Select(s => s.Name));

        Note one = SignedNotes.Open(message, [NoteVerifier.Parse(secondVerifier)]);
        Assert.Equal("second", Assert.Single(one.Signatures).Name);
        Assert.Equal("first", Assert.Single(one.UnverifiedSignatures).Name);
    }

    // Go's package comment: re-signing an opened note adds a signature after the existing one.
    [Fact]
    public void Sign_OpenedNoteWithNewSigner_Cosigned()
    {
        Note opened = SignedNotes.Open(Utf8(Text + "\n" + PeterSig), [NoteVerifier.Parse(PeterVerifierKey)]);
        (string signerKey, string verifierKey) = NoteSigner.GenerateKey("EnochRoot");
        NoteSigner enoch = NoteSigner.Parse(signerKey);

        string cosigned = Encoding.UTF8.GetString(SignedNotes.Sign(opened, enoch));
        Assert.StartsWith(Text + "\n" + PeterSig + "\u2014 EnochRoot ", cosigned, StringComparison.Ordinal);

        Note note = SignedNotes.Open(Utf8(cosigned), [NoteVerifier.Parse(PeterVerifierKey), NoteVerifier.Parse(verifierKey)]);
        Assert.Equal(["PeterNeumann", "EnochRoot"], note.Signatures.Select(s => s.Name));
    }

    [Fact]
    public void SignThenOpen_WrongVerifierSameName_Unverified()
    {
        (string signerKey, _) = NoteSigner.GenerateKey("example.com/sumdb");
        (_, string otherVerifierKey) = NoteSigner.GenerateKey("example.com/sumdb");
        byte[] message = SignedNotes.Sign(Text, NoteSigner.Parse(signerKey));
        var error = Assert.Throws<NoteException>(() => SignedNotes.Open(message, [NoteVerifier.Parse(otherVerifierKey)]));
        Assert.Equal(NoteFailure.Unverified, error.Failure);
    }
}
