using SecureGateway.Verification.ChecksumDb;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Notes;

public sealed class NoteVerifierTests
{
    [Theory]
    [InlineData(NoteVectors.PeterVerifierKey, "PeterNeumann", NoteVectors.PeterHash)]
    [InlineData(NoteVectors.EnochVerifierKey, "EnochRoot", NoteVectors.EnochHash)]
    [InlineData(NoteVectors.LocaldevVerifierKey, NoteVectors.LocaldevName, 0x00000c67u)]
    public void Parse_GoTestKey_NameAndHash(string key, string name, uint hash)
    {
        NoteVerifier verifier = NoteVerifier.Parse(key);
        Assert.Equal(name, verifier.Name);
        Assert.Equal(hash, verifier.KeyHash);
        Assert.Equal(key, verifier.KeyText);
    }

    // The base64 of sum.golang.org's key contains '+': the key splits into at most three parts.
    [Fact]
    public void Parse_SumGolangOrgKey_Hash033de0ae()
    {
        NoteVerifier verifier = NoteVerifier.Parse(SumDbSettings.GoSumDbKey);
        Assert.Equal("sum.golang.org", verifier.Name);
        Assert.Equal(0x033de0aeu, verifier.KeyHash);
        Assert.Equal(SumDbSettings.GoSumDbKey, verifier.KeyText);
    }

    // strconv.ParseUint(hash, 16, 32) accepts upper-case digits.
    [Fact]
    public void Parse_UpperCaseHash_Accepted() =>
        Assert.Equal(NoteVectors.PeterHash, NoteVerifier.Parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").KeyHash);

    // note_test.go TestNewVerifier: no proper substring of the key parses.
    [Fact]
    public void Parse_EverySubstringOfKey_Throws()
    {
        string key = NoteVectors.PeterVerifierKey;
        for (int i = 0; i <= key.Length; i++)
        {
            for (int j = i + 1; j <= key.Length; j++)
            {
                if (i != 0 || j != key.Length)
                {
                    Assert.False(NoteVerifier.TryParse(key[i..j], out _, out _), key[i..j]);
                }
            }
        }
    }

    // note_test.go TestNewVerifier: no key with one character incremented parses.
    [Fact]
    public void Parse_EachCharacterIncremented_Throws()
    {
        char[] key = NoteVectors.PeterVerifierKey.ToCharArray();
        for (int i = 0; i < key.Length; i++)
        {
            key[i]++;
            Assert.False(NoteVerifier.TryParse(new string(key), out _, out _), new string(key));
            key[i]--;
        }
    }

    [Theory]
    // note_test.go: wrong length key, with adjusted key hash.
    [InlineData("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "malformed verifier id")]
    // note_test.go: unknown algorithm, with adjusted key hash.
    [InlineData("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "unknown verifier algorithm")]
    [InlineData("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid verifier hash")]
    [InlineData("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed verifier id")]
    [InlineData("PeterNeumann+c74f20g3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed verifier id")]
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "malformed verifier id")]
    // Go's base64 rejects a space; .NET's decoder alone would skip it.
    [InlineData("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzh KqiBfsVkmqq/LDE4izWy10TW", "malformed verifier id")]
    [InlineData("PeterNeumann+c74f20a3+", "malformed verifier id")]
    [InlineData("PeterNeumann+c74f20a3", "malformed verifier id")]
    [InlineData("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "malformed verifier id")]
    [InlineData("", "malformed verifier id")]
    public void Parse_BadKey_ThrowsGoReason(string key, string reason)
    {
        var error = Assert.Throws<FormatException>(() => NoteVerifier.Parse(key));
        Assert.Equal(reason, error.Message);
        Assert.False(NoteVerifier.TryParse(key, out NoteVerifier? verifier, out string tryError));
        Assert.Null(verifier);
        Assert.Equal(reason, tryError);
    }

    // Each key below carries the right hash for its bytes, so only the property named fails.
    [Theory]
    [InlineData("ShortKey", 1, 31, "malformed verifier id")]
    [InlineData("LongKey", 1, 33, "malformed verifier id")]
    [InlineData("AlgZero", 0, 32, "unknown verifier algorithm")]
    [InlineData("AlgTwo", 2, 32, "unknown verifier algorithm")]
    [InlineData("Peter Neumann", 1, 32, "malformed verifier id")]
    [InlineData("Peter\u00A0Neumann", 1, 32, "malformed verifier id")]
    [InlineData("Peter\u3000Neumann", 1, 32, "malformed verifier id")]
    public void Parse_KeyWithMatchingHash_ThrowsForTheFlaw(string name, byte algorithm, int keyLength, string reason)
    {
        byte[] encoded = [algorithm, .. Enumerable.Range(7, keyLength).Select(i => (byte)i)];
        var error = Assert.Throws<FormatException>(() => NoteVerifier.Parse(NoteVectors.VerifierKey(name, encoded)));
        Assert.Equal(reason, error.Message);
    }

    // A '+' ends the name: "a+b" leaves "b+…" where the hash should be.
    [Fact]
    public void Parse_NameWithPlus_Malformed()
    {
        byte[] encoded = [1, .. new byte[32]];
        string key = NoteVectors.VerifierKey("a+b", encoded);
        Assert.Equal("malformed verifier id", Assert.Throws<FormatException>(() => NoteVerifier.Parse(key)).Message);
    }

    [Fact]
    public void Parse_ValidKeyBuiltFromBytes_Accepted()
    {
        byte[] encoded = [1, .. Convert.FromBase64String("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").AsSpan(1)];
        Assert.Equal(NoteVectors.PeterVerifierKey, NoteVectors.VerifierKey("PeterNeumann", encoded));
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNull() =>
        Assert.Throws<ArgumentNullException>(() => NoteVerifier.Parse(null!));

    // note_test.go testSignerAndVerifier.
    [Fact]
    public void Verify_SignatureFromMatchingSigner_TrueUntilCorrupted()
    {
        NoteSigner signer = NoteSigner.Parse(NoteVectors.PeterSignerKey);
        NoteVerifier verifier = NoteVerifier.Parse(NoteVectors.PeterVerifierKey);
        byte[] message = "hi"u8.ToArray();
        byte[] signature = signer.Sign(message);
        Assert.Equal(64, signature.Length);
        Assert.True(verifier.Verify(message, signature));

        signature[0]++;
        Assert.False(verifier.Verify(message, signature));
        signature[0]--;
        message[0]++;
        Assert.False(verifier.Verify(message, signature));
        message[0]--;
        Assert.False(verifier.Verify(message, signature.AsSpan(0, 63)));
        Assert.False(verifier.Verify(message, [.. signature, 0]));
    }

    // The last verified pair is remembered to spare repeated lookups' signature checks: only the same bytes may pass
    // without a check, never a message or signature that shares a prefix, a length or the other half with it.
    [Fact]
    public void Verify_AfterAPairVerified_OnlyTheSameBytesPassUnchecked()
    {
        NoteSigner signer = NoteSigner.Parse(NoteVectors.PeterSignerKey);
        NoteVerifier verifier = NoteVerifier.Parse(NoteVectors.PeterVerifierKey);
        byte[] head = "go.sum database tree\n42\nabc=\n"u8.ToArray();
        byte[] other = "go.sum database tree\n43\nabd=\n"u8.ToArray();
        byte[] headSignature = signer.Sign(head);
        byte[] otherSignature = signer.Sign(other);
        Assert.True(verifier.Verify(head, headSignature));

        Assert.True(verifier.Verify(head, headSignature));
        Assert.False(verifier.Verify(other, headSignature));
        Assert.False(verifier.Verify(head, otherSignature));
        Assert.False(verifier.Verify(head.AsSpan(0, head.Length - 1), headSignature));
        Assert.False(verifier.Verify([.. head, (byte)'\n'], headSignature));
        byte[] flipped = [.. head];
        flipped[^2] ^= 1;
        Assert.False(verifier.Verify(flipped, headSignature));
        Assert.True(verifier.Verify(other, otherSignature));
        Assert.True(verifier.Verify(head, headSignature));
        Assert.False(NoteVerifier.Parse(NoteVectors.EnochVerifierKey).Verify(head, headSignature));
    }
}
