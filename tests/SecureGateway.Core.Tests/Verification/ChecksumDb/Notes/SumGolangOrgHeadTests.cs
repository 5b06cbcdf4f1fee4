using SecureGateway.Verification.ChecksumDb;
using static SecureGateway.Core.Tests.Verification.ChecksumDb.Notes.NoteVectors;
using SignedNotes = SecureGateway.Verification.ChecksumDb.Notes;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Notes;

/// <summary>Signed tree heads really published by sum.golang.org, checked with its real key, and tampered copies.</summary>
public sealed class SumGolangOrgHeadTests
{
    private static readonly NoteVerifier SumGolangOrg = NoteVerifier.Parse(SumDbSettings.GoSumDbKey);

    /// <summary>Each head as published; where it was found is on its line.</summary>
    public static TheoryData<string, string> Heads => new()
    {
        // transparency-dev/formats, log/note_test.go (TestSumDBNoteParsing).
        {
            "formats 6476701",
            "go.sum database tree\n6476701\nmb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n\n" +
            "\u2014 sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvimWEPWL+o3GeoWwOoAw=\n"
        },
        // sigsum/sigsum-go, pkg/checkpoint/checkpoint_test.go (TestGoSumDBCheckpoint: "Retrieved from
        // https://sum.golang.org/latest, 2024-09-23").
        {
            "sigsum 30055305",
            "go.sum database tree\n30055305\nmXfgRcJ0bG0j3CPdKwgGWtUzBUbX67saZGRmFuJGGsM=\n\n" +
            "\u2014 sum.golang.org Az3grpgEild5qw7+5dtV13Kf1C2Xurm8q4fhdxvcsDHnqNTaxL2AFjBY+2TyGKevucFcAAlWFJJYle3EJlDCrQ+y3A8=\n"
        },
        // google/trillian-examples, witness/golang/cmd/addrwitness/README.md (sum.golang.org/latest of 2023-01-09,
        // returned by a test witness with its own "test.example.com" cosignature, a key we do not know).
        {
            "trillian-examples 15067302 cosigned",
            "go.sum database tree\n15067302\ngJyioq6dwR9n+NjEWORfYmH+ubeYm3kH42BBQ0bTpYI=\n\n" +
            "\u2014 sum.golang.org Az3grp1rvWOs5NKlr/xR4GLN/CDyzzakmt1o61uSxYKpK1SerqOP2ClbX/peKUZjYnyomH5Xz7GZG3TpB7OeKn4E2ww=\n" +
            "\u2014 test.example.com qTGhC/xIPQ0AXKHK6Y+9ypRfuvMZWPjRXM8NiOg5M1WREn07VQXyuIXM3NRNav3ieVFLUqDRK77PWDmL6w8w84UqeAw=\n"
        },
        // CycloneDX/cyclonedx-gomod, README.md (an earlier revision's "Hashes" section: the tree head returned by
        // https://sum.golang.org/lookup/github.com/google/uuid@v1.2.0, without the lookup record above it).
        {
            "cyclonedx-gomod 3935567",
            "go.sum database tree\n3935567\nSapHtgdNCeF00Cx8kqztePV24kgzNg++Xovae42HAMw=\n\n" +
            "\u2014 sum.golang.org Az3grsm7Wm4CVNR1RHq9BFnu9jzcRlU2uw7lr0gfUWgO6+rqPNjT+fUTl9gH0NRTgdwW9nItuQSMbhSaLCsk8YeYSAs=\n"
        },
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_PublishedHead_VerifiedBySumGolangOrgKey(string source, string head)
    {
        Note note = SignedNotes.Open(Utf8(head), [SumGolangOrg]);
        Assert.StartsWith("go.sum database tree\n", note.Text, StringComparison.Ordinal);
        Assert.Equal(3, note.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        NoteSignature signature = Assert.Single(note.Signatures);
        Assert.Equal("sum.golang.org", signature.Name);
        Assert.Equal(0x033de0aeu, signature.KeyHash);
        Assert.True(note.UnverifiedSignatures.Count <= 1, source);
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithTreeSizeChanged_InvalidSignature(string source, string head)
    {
        // Line 2 is the tree size: change its first digit.
        int at = head.IndexOf('\n', StringComparison.Ordinal) + 1;
        AssertFails(NoteFailure.InvalidSignature, source, ChangeCharAt(head, at));
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithOriginChanged_InvalidSignature(string source, string head) =>
        AssertFails(NoteFailure.InvalidSignature, source, "go.sum database tref" + head["go.sum database tree".Length..]);

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithTreeHashChanged_InvalidSignature(string source, string head)
    {
        // Line 3 is the base64 root hash: change a character in its middle.
        int line3 = head.IndexOf('\n', head.IndexOf('\n', StringComparison.Ordinal) + 1) + 1;
        AssertFails(NoteFailure.InvalidSignature, source, ChangeCharAt(head, line3 + 20));
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithSignatureChanged_InvalidSignature(string source, string head)
    {
        // Past the first 8 base64 characters, which hold the key hash.
        int signature = head.IndexOf("\u2014 sum.golang.org ", StringComparison.Ordinal) + "\u2014 sum.golang.org ".Length;
        AssertFails(NoteFailure.InvalidSignature, source, ChangeCharAt(head, signature + 30));
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithKeyNameChanged_Unverified(string source, string head) =>
        AssertFails(NoteFailure.Unverified, source, head.Replace("\u2014 sum.golang.org ", "\u2014 sum.golang.orh ", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithKeyHashChanged_Unverified(string source, string head) =>
        // "Az3grs…": 'A' → 'B' changes the first byte of the key hash (0x03 → 0x07).
        AssertFails(NoteFailure.Unverified, source, head.Replace("sum.golang.org Az3gr", "sum.golang.org Bz3gr", StringComparison.Ordinal));

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithOnlyOtherKeysKnown_Unverified(string source, string head) =>
        AssertFails(NoteFailure.Unverified, source, head, NoteVerifier.Parse(PeterVerifierKey));

    [Theory]
    [MemberData(nameof(Heads))]
    public void Open_HeadWithBlankLineRemoved_Malformed(string source, string head) =>
        AssertFails(NoteFailure.Malformed, source, head.Replace("\n\n", "\n", StringComparison.Ordinal));

    // Signature bytes of one head on another head's text.
    [Fact]
    public void Open_SignatureFromAnotherHead_InvalidSignature()
    {
        string[] heads = [.. Heads.Select(row => (string)row[1])];
        string text = heads[0][..(heads[0].IndexOf("\n\n", StringComparison.Ordinal) + 2)];
        string otherSignature = heads[1][(heads[1].IndexOf("\n\n", StringComparison.Ordinal) + 2)..];
        AssertFails(NoteFailure.InvalidSignature, "swapped", text + otherSignature);
    }

    private static void AssertFails(NoteFailure failure, string source, string message, NoteVerifier? known = null)
    {
        var error = Assert.Throws<NoteException>(() => SignedNotes.Open(Utf8(message), [known ?? SumGolangOrg]));
        Assert.True(failure == error.Failure, $"{source}: {error.Failure} ({error.Message}), expected {failure}");
    }

    // Replaces one base64-alphabet or digit character by another of the same kind.
    private static string ChangeCharAt(string s, int index)
    {
        char c = s[index];
        char replacement = c switch
        {
            '9' => '8',
            'z' or 'Z' => (char)(c - 1),
            '+' => '/',
            '/' => '+',
            _ => (char)(c + 1),
        };
        return string.Concat(s.AsSpan(0, index), replacement.ToString(), s.AsSpan(index + 1));
    }
}
