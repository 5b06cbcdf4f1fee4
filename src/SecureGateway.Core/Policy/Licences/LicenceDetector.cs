using System.Buffers;
using System.IO.Compression;
using System.Text;
using SecureGateway.Verification;

namespace SecureGateway.Policy.Licences;

/// <summary>
/// Finds a module's licence files (pkgsite's names) and tells which SPDX licence each one is, by the
/// Sørensen–Dice coefficient between the file's normalised word set and each SPDX text's (as licensee does).
/// </summary>
/// <remarks>
/// A file that is no licence text at or above <see cref="Threshold"/> — a pointer to a web site, a custom
/// licence, several licences pasted into one file — is reported as <see cref="Unknown"/>, never guessed.
/// </remarks>
public sealed class LicenceDetector
{
    /// <summary>The id reported for a licence file whose text matches no SPDX text well enough.</summary>
    public const string Unknown = "unknown";

    /// <summary>
    /// The lowest Dice coefficient reported as a match: pkgsite's classifyThreshold (90 %). Copies of one licence
    /// score 0.97–1 after normalisation (a copyright line, a title, a reflowed paragraph left over); neighbouring
    /// SPDX texts that differ by one clause (BSD-2 vs BSD-3, MIT vs X11) still differ by the best score, and a
    /// file that only names a licence scores far below.
    /// </summary>
    public const double Threshold = 0.90;

    /// <summary>Go's modzip MaxLICENSE: the go command refuses a module whose LICENSE is larger.</summary>
    public const int MaxLicenceSize = 16 << 20;

    private static readonly Lazy<LicenceDetector> DefaultDetector = new(() => new LicenceDetector(SpdxCorpus.LoadEmbedded()));

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly SpdxCorpus corpus;
    private readonly double threshold;

    internal LicenceDetector(SpdxCorpus corpus, double threshold = Threshold)
    {
        this.corpus = corpus;
        this.threshold = threshold;
    }

    /// <summary>The detector over the SPDX texts embedded in this assembly, loaded on first use (thread-safe).</summary>
    public static LicenceDetector Default => DefaultDetector.Value;

    internal SpdxCorpus Corpus => corpus;

    /// <summary>
    /// Whether pkgsite would read this file as a licence: its base name is one of pkgsite's FileNames
    /// (LICENSE, LICENCE, COPYING, UNLICENSE and their listed variants, any case), anywhere in the module but
    /// in a subdirectory of a vendor directory.
    /// </summary>
    /// <param name="pathInModule">'/'-separated path relative to the module root, e.g. "sub/COPYING".</param>
    public static bool IsLicenceFile(string pathInModule) => LicenceFileNames.IsLicenceFile(pathInModule);

    /// <summary>Classifies one licence file's content (UTF-8; invalid bytes become U+FFFD).</summary>
    /// <param name="file">Reported back as <see cref="LicenceMatch.File"/>.</param>
    public LicenceMatch Classify(string file, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(file);
        List<string> words = LicenceText.Words(Utf8.GetString(content));

        var known = new HashSet<int>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string word in words)
        {
            if (distinct.Add(word) && corpus.Vocabulary.TryGetValue(word, out int number))
            {
                known.Add(number);
            }
        }
        int size = distinct.Count;
        if (size == 0)
        {
            return new LicenceMatch(Unknown, file, 0);
        }

        SpdxText? best = null;
        double bestDice = 0;
        foreach (SpdxText text in corpus.Texts)
        {
            // Even a full overlap cannot beat what we have.
            if (Dice(Math.Min(size, text.Words.Length), size, text.Words.Length) <= bestDice)
            {
                continue;
            }
            int overlap = 0;
            foreach (int word in text.Words)
            {
                if (known.Contains(word))
                {
                    overlap++;
                }
            }
            double dice = Dice(overlap, size, text.Words.Length);
            if (dice > bestDice)
            {
                (best, bestDice) = (text, dice);
            }
        }

        if (best is null)
        {
            return new LicenceMatch(Unknown, file, 0);
        }
        double confidence = Math.Round(bestDice * LengthRatio(words.Count, best.Length), 4);
        if (confidence < threshold)
        {
            return new LicenceMatch(Unknown, file, confidence);
        }
        // The GPL family shares one text between "-only" and "-or-later". A grant of "any later version" beyond the
        // ones in the terms themselves (a notice above them) means -or-later; the how-to appendix, where the text
        // shows such a notice as an example, is not compared.
        bool orLater = best.OrLater is not null && LicenceText.CountLaterVersionGrants(words) > best.LaterVersionGrants;
        return new LicenceMatch(orLater ? best.OrLater! : best.Id, file, confidence);
    }

    // Sørensen–Dice coefficient of two sets from the size of their intersection.
    private static double Dice(int overlap, int a, int b) => 2.0 * overlap / (a + b);

    // Word sets do not see text added to a licence when its words are common ones: MIT and Apache-2.0 pasted into one
    // file have nearly Apache's word set (Dice 0.97). licensee therefore also requires the lengths to be within its
    // threshold of each other; here the ratio of the word counts (repeats counted) scales the best text's Dice
    // coefficient into the confidence, so one threshold covers both. It does not pick the text: near-identical SPDX
    // texts of other lengths (Pixar's Apache-2.0) would win on length alone.
    private static double LengthRatio(int a, int b) => (double)Math.Min(a, b) / Math.Max(a, b);

    /// <summary>
    /// Classifies every licence file in a module zip, ordered by path (ordinal). Entries outside
    /// <paramref name="modulePrefix"/> are ignored; a licence file larger than <see cref="MaxLicenceSize"/> or
    /// unreadable is reported as <see cref="Unknown"/> with confidence 0.
    /// </summary>
    /// <param name="zipFilePath">A module zip (already verified by the zip rules).</param>
    /// <param name="modulePrefix">"path@version/", the prefix of every entry; a missing final '/' is added.</param>
    public IReadOnlyList<LicenceMatch> Detect(string zipFilePath, string modulePrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(zipFilePath);
        ArgumentException.ThrowIfNullOrEmpty(modulePrefix);
        if (!modulePrefix.EndsWith('/'))
        {
            modulePrefix += "/";
        }

        var matches = new List<LicenceMatch>();
        using ZipArchive archive = ZipFile.Open(zipFilePath, ZipArchiveMode.Read, ZipEntryReader.NameEncoding);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            if (!entry.FullName.StartsWith(modulePrefix, StringComparison.Ordinal))
            {
                continue;
            }
            string path = entry.FullName[modulePrefix.Length..];
            if (path.Length == 0 || path.EndsWith('/') || !IsLicenceFile(path))
            {
                continue;
            }
            matches.Add(ReadCapped(entry) is { } content
                ? Classify(path, content.GetBuffer().AsSpan(0, (int)content.Length))
                : new LicenceMatch(Unknown, path, 0));
        }
        matches.Sort((a, b) => string.CompareOrdinal(a.File, b.File));
        return matches;
    }

    // The entry's bytes, or null when it is larger than MaxLicenceSize or cannot be read.
    private static MemoryStream? ReadCapped(ZipArchiveEntry entry)
    {
        if (entry.Length > MaxLicenceSize)
        {
            return null;
        }
        var content = new MemoryStream((int)entry.Length);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using Stream stream = entry.Open();
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (content.Length + n > MaxLicenceSize)
                {
                    return null;
                }
                content.Write(chunk, 0, n);
            }
            return content;
        }
        catch (InvalidDataException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
