using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SecureGateway.Verification.ChecksumDb;
using static SecureGateway.Fuzz.PropertyFailedException;

namespace SecureGateway.Fuzz.Targets;

/// <summary>Signed notes, tree heads and lookup answers: hostile edits of valid ones, and arbitrary bytes.</summary>
internal static class NoteTargets
{
    private const string ServerName = "fuzz.example/sumdb";

    private static readonly (NoteSigner Signer, NoteVerifier Verifier) Server = KeyPair(ServerName);
    private static readonly (NoteSigner Signer, NoteVerifier Verifier) Witness = KeyPair("witness.example");
    private static readonly (NoteSigner Signer, NoteVerifier Verifier) Stranger = KeyPair("stranger.example");
    private static readonly NoteVerifier[] Known = [Server.Verifier, Witness.Verifier];

    private static readonly string[] Insertions =
    [
        "\n", "\n\n", "\r", "\0", "\u2014 ", "\u2014", " ", "+", "=", "é", "\u0085", "\u2028", "\uFEFF", "\u2014 fuzz.example/sumdb ",
        "\u2014 fuzz.example/sumdb AAAA\n", "\u2014 fuzz.example/sumdb !!!!\n", "\u2014 x y z\n",
    ];

    public static readonly FuzzTarget Note = FuzzTarget.Create(
        "note",
        "Notes.Open throws only NoteException; a note it opens has exactly the signed text and a signature by a known key; TreeHead.Parse of the text throws only FormatException and round-trips",
        NoteInputs,
        CheckNote,
        input => $"{input.Plan}: {Printable.Quote(Encoding.UTF8.GetString(input.Message))}");

    public static readonly FuzzTarget Bytes = FuzzTarget.Create(
        "note-bytes",
        "Notes.Open, TreeHead.Parse, LookupRecord.Parse and NoteVerifier.TryParse throw only their documented exceptions on arbitrary bytes",
        from length in Gen.Sized(size => Gen.Choose(0, size * 4))
        from bytes in Gen.ArrayOf(Gen.Frequency((6, Gen.Choose(0, 255).Select(b => (byte)b)), (2, Gen.Elements("\n+ =—go.sum database tree0123456789"u8.ToArray()))), length)
        select bytes,
        CheckArbitrary,
        bytes => Printable.Bytes(bytes));

    private sealed record NoteInput(byte[] Message, string SignedText, string Plan);

    private static Gen<NoteInput> NoteInputs =>
        from text in Gen.Frequency((2, TreeText), (1, FreeText))
        from signers in Gen.Elements(
            new[] { Server.Signer }, [Server.Signer, Witness.Signer], [Stranger.Signer, Server.Signer], [Stranger.Signer], [Witness.Signer, Server.Signer, Stranger.Signer])
        from edits in Gen.Frequency((2, Gen.Constant(Array.Empty<NoteEdit>())), (5, Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Edit, n))))
        select Build(text, signers, edits);

    private static Gen<string> TreeText =>
        from n in Gen.Frequency((4, Gen.Choose(0, 100000).Select(i => i.ToString(CultureInfo.InvariantCulture))), (1, Gen.Elements("-1", "01", "9223372036854775807", "9223372036854775808", "")))
        from hash in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32)
        from extra in Gen.Elements("", "extra line\n")
        select $"go.sum database tree\n{n}\n{Convert.ToBase64String(hash)}\n{extra}";

    private static Gen<string> FreeText =>
        from lines in Gen.Sized(size => Gen.Choose(1, 1 + size / 10))
        from words in Gen.ArrayOf(Gen.Elements("If", "you", "think", "é", "—", "+", "cryptography", "is"), lines)
        select string.Concat(words.Select(w => w + "\n"));

    private sealed record NoteEdit(int Kind, int At, string Insertion, int Repeat, byte Xor)
    {
        public override string ToString() => Kind switch
        {
            0 => $"insert {Printable.Quote(Insertion)} at {At}",
            1 => $"byte {At} ^= {Xor:x2}",
            2 => $"delete byte {At}",
            3 => $"repeat the last signature line {Repeat} times",
            4 => $"truncate at {At}",
            _ => "drop the blank line",
        };
    }

    private static Gen<NoteEdit> Edit =>
        from kind in Gen.Choose(0, 5)
        from at in Gen.Choose(0, int.MaxValue)
        from insertion in Gen.Elements(Insertions)
        from repeat in Gen.Elements(2, 99, 100, 101, 5000)
        from xor in Gen.Choose(1, 255)
        select new NoteEdit(kind, at, insertion, repeat, (byte)xor);

    private static NoteInput Build(string text, NoteSigner[] signers, NoteEdit[] edits)
    {
        byte[] message = Notes.Sign(text, signers);
        foreach (NoteEdit edit in edits)
        {
            message = Apply(message, edit);
        }
        string plan = $"signed by {string.Join(", ", signers.Select(s => s.Name))}" + string.Concat(edits.Select(e => $", {e}"));
        return new NoteInput(message, text, plan);
    }

    private static byte[] Apply(byte[] message, NoteEdit edit)
    {
        int at = message.Length == 0 ? 0 : edit.At % message.Length;
        switch (edit.Kind)
        {
            case 0:
                return [.. message[..at], .. Encoding.UTF8.GetBytes(edit.Insertion), .. message[at..]];
            case 1 when message.Length > 0:
                message[at] ^= edit.Xor;
                return message;
            case 2 when message.Length > 0:
                return [.. message[..at], .. message[(at + 1)..]];
            case 3 when message.Length > 0:
                int lastLine = message.AsSpan(..^1).LastIndexOf((byte)'\n') + 1;
                byte[] line = message[lastLine..];
                return [.. message, .. Enumerable.Repeat(line, edit.Repeat).SelectMany(l => l)];
            case 4:
                return message[..at];
            default:
                int blank = message.AsSpan().LastIndexOf("\n\n"u8);
                return blank < 0 ? message : [.. message[..(blank + 1)], .. message[(blank + 2)..]];
        }
    }

    private static void CheckNote(NoteInput input)
    {
        Note note;
        try
        {
            note = Notes.Open(input.Message, Known);
        }
        catch (NoteException)
        {
            CheckTreeHead(Encoding.UTF8.GetBytes(input.SignedText));
            return;
        }
        Require(note.Text == input.SignedText, $"opened with text {Printable.Quote(note.Text)}, but the signed text was {Printable.Quote(input.SignedText)}");
        Require(note.Signatures.Count > 0 && note.Signatures.All(s => Known.Any(k => k.Name == s.Name && k.KeyHash == s.KeyHash)), "opened without a known key's signature");
        Require(note.Signatures.Count + note.UnverifiedSignatures.Count <= 100, "opened with more than 100 signatures");
        CheckTreeHead(Encoding.UTF8.GetBytes(note.Text));
    }

    private static void CheckTreeHead(byte[] text)
    {
        try
        {
            TreeHead head = TreeHead.Parse(text);
            Require(TreeHead.Parse(Encoding.UTF8.GetBytes(head.Format())) == head, $"{head.Format()} parses to another head");
        }
        catch (FormatException)
        {
            // TreeHead.Parse's documented refusal.
        }
    }

    private static void CheckArbitrary(byte[] bytes)
    {
        try
        {
            Notes.Open(bytes, Known);
            throw new PropertyFailedException("opened a note of arbitrary bytes");
        }
        catch (NoteException)
        {
            // Notes.Open's documented refusal.
        }
        CheckTreeHead(bytes);
        try
        {
            LookupRecord.Parse(bytes);
        }
        catch (FormatException)
        {
            // LookupRecord.Parse's documented refusal.
        }
        string key = Encoding.UTF8.GetString(bytes);
        if (NoteVerifier.TryParse(key, out NoteVerifier? verifier, out _))
        {
            Require(verifier.KeyText == key, "a parsed verifier key does not keep its text");
        }
    }

    private static (NoteSigner Signer, NoteVerifier Verifier) KeyPair(string name)
    {
        (string signerKey, string verifierKey) = NoteSigner.GenerateKey(name);
        return (NoteSigner.Parse(signerKey), NoteVerifier.Parse(verifierKey));
    }
}
