using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecureGateway.Core.Tests.Verification.ChecksumDb.Notes;

/// <summary>Keys and notes from golang.org/x/mod/sumdb (note/note.go, note/note_test.go, client_test.go).</summary>
internal static class NoteVectors
{
    public const string PeterVerifierKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    public const string PeterSignerKey = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    public const uint PeterHash = 0xc74f20a3;

    public const string EnochVerifierKey = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
    public const uint EnochHash = 0xaf0cfe78;

    // sumdb/client_test.go (also cmd/go's sumdb test server).
    public const string LocaldevName = "localhost.localdev/sumdb";
    public const string LocaldevVerifierKey = "localhost.localdev/sumdb+00000c67+AcTrnkbUA+TU4heY3hkjiSES/DSQniBqIeQ/YppAUtK6";
    public const string LocaldevSignerKey = "PRIVATE+KEY+localhost.localdev/sumdb+00000c67+AXu6+oaVaOYuQOFrf1V59JK1owcFlJcHwwXHDfDGxSPk";

    public const string Text = "If you think cryptography is the answer to your problem,\n" +
        "then you don't know what your problem is.\n";

    public const string PeterBase64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=";
    public const string EnochBase64 = "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=";

    public const string PeterSig = "\u2014 PeterNeumann " + PeterBase64 + "\n";
    public const string EnochSig = "\u2014 EnochRoot " + EnochBase64 + "\n";

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A verifier key for arbitrary key bytes, with the key hash computed the way note.go does, so that
    /// only the property under test is wrong.</summary>
    public static string VerifierKey(string name, byte[] encodedKey)
    {
        byte[] input = [.. Encoding.UTF8.GetBytes(name), (byte)'\n', .. encodedKey];
        uint hash = BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
        return $"{name}+{hash:x8}+{Convert.ToBase64String(encodedKey)}";
    }
}
