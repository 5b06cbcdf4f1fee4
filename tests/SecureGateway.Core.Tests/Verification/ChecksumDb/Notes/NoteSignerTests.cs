using System.Text.RegularExpressions;
using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Notes;

public sealed class NoteSignerTests
{
    [Theory]
    [InlineData(NoteVectors.PeterSignerKey, NoteVectors.PeterVerifierKey)]
    [InlineData(NoteVectors.LocaldevSignerKey, NoteVectors.LocaldevVerifierKey)]
    public void Parse_GoTestKeyPair_MatchesVerifier(string signerKey, string verifierKey)
    {
        NoteSigner signer = NoteSigner.Parse(signerKey);
        NoteVerifier verifier = NoteVerifier.Parse(verifierKey);
        Assert.Equal(verifier.Name, signer.Name);
        Assert.Equal(verifier.KeyHash, signer.KeyHash);
        Assert.True(verifier.Verify("hi"u8, signer.Sign("hi"u8)));
    }

    // note_test.go TestNewSigner: no proper substring of the key parses.
    [Fact]
    public void Parse_EverySubstringOfKey_Throws()
    {
        string key = NoteVectors.PeterSignerKey;
        for (int i = 0; i <= key.Length; i++)
        {
            for (int j = i + 1; j <= key.Length; j++)
            {
                if (i != 0 || j != key.Length)
                {
                    Assert.Throws<FormatException>(() => NoteSigner.Parse(key[i..j]));
                }
            }
        }
    }

    // note_test.go TestNewSigner: no key with one character incremented parses.
    [Fact]
    public void Parse_EachCharacterIncremented_Throws()
    {
        char[] key = NoteVectors.PeterSignerKey.ToCharArray();
        for (int i = 0; i < key.Length; i++)
        {
            key[i]++;
            string mangled = new(key);
            Assert.Throws<FormatException>(() => NoteSigner.Parse(mangled));
            key[i]--;
        }
    }

    [Theory]
    // The hash is checked against the public key derived from the seed.
    [InlineData("PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "invalid verifier hash")]
    [InlineData("PRIVATE+KEY+EnochRoot+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "invalid verifier hash")]
    // Algorithm byte 0x02 in place of 0x01 (first base64 character 'A' → 'A', second 'Y' → 'o').
    [InlineData("PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "unknown verifier algorithm")]
    [InlineData("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKD==", "malformed verifier id")]
    [InlineData(NoteVectors.PeterVerifierKey, "malformed verifier id")]
    [InlineData("PRIVATE+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "malformed verifier id")]
    [InlineData("private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", "malformed verifier id")]
    public void Parse_BadKey_ThrowsGoReason(string key, string reason) =>
        Assert.Equal(reason, Assert.Throws<FormatException>(() => NoteSigner.Parse(key)).Message);

    // note_test.go TestGenerateKey.
    [Fact]
    public void GenerateKey_Name_SelfConsistentPair()
    {
        (string signerKey, string verifierKey) = NoteSigner.GenerateKey("EnochRoot");
        Assert.Matches(new Regex("^PRIVATE\\+KEY\\+EnochRoot\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]{44}$"), signerKey);
        Assert.Matches(new Regex("^EnochRoot\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]{44}$"), verifierKey);

        NoteSigner signer = NoteSigner.Parse(signerKey);
        NoteVerifier verifier = NoteVerifier.Parse(verifierKey);
        Assert.Equal("EnochRoot", signer.Name);
        Assert.Equal("EnochRoot", verifier.Name);
        Assert.Equal(verifier.KeyHash, signer.KeyHash);

        byte[] message = "hi"u8.ToArray();
        byte[] signature = signer.Sign(message);
        Assert.True(verifier.Verify(message, signature));
        signature[0]++;
        Assert.False(verifier.Verify(message, signature));
    }

    [Fact]
    public void GenerateKey_TwoCalls_DifferentKeys() =>
        Assert.NotEqual(NoteSigner.GenerateKey("a").VerifierKey, NoteSigner.GenerateKey("a").VerifierKey);

    // Go would return a key its own NewSigner rejects; here the name is refused up front.
    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("a+b")]
    [InlineData("a\nb")]
    public void GenerateKey_InvalidName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => NoteSigner.GenerateKey(name));
}
