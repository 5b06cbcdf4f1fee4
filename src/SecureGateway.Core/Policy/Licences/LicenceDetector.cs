using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;
using SecureGateway.Verification;

namespace SecureGateway.Policy.Licences;

/// <summary>
/// Finds a module's licence files and every SPDX licence, standard licence header and licence exception inside each
/// one (<see cref="LicenceSearch"/>): a file may hold a licence with text around it, two licences, a licence twice, a
/// licence notice instead of the text, or an exception before its licence. Each file gets an SPDX expression, and the
/// module one over all its files (<see cref="ModuleExpression"/>).
/// </summary>
/// <remarks>
/// A file in which nothing scores at or above <see cref="Threshold"/> — a pointer to a web site, a custom licence — is
/// reported as <see cref="Unknown"/>, never guessed; the words of a file that no match explains are reported with it.
/// </remarks>
public sealed class LicenceDetector : IDisposable
{
    /// <summary>The id reported for a licence file in which no SPDX text was found.</summary>
    public const string Unknown = "unknown";

    /// <summary>
    /// The lowest score (Sørensen–Dice over the word sequences of the text and the span it was found in) reported as a
    /// match. Copies of one licence score 0.97–1 after normalisation; neighbouring SPDX texts that differ by a clause
    /// (BSD-2 vs BSD-3, MIT vs MIT-0) score lower on each other's copies than the right one, which wins the span.
    /// </summary>
    public const double Threshold = 0.90;

    /// <summary>
    /// The largest file searched: 1 MiB, twenty-five times the longest licence and more than real files bundling several.
    /// Finding texts within a file costs about one alignment per text found, so a file built from every SPDX text would
    /// cost seconds; a larger file is reported unknown (fail closed: the licence rule holds it for review).
    /// </summary>
    public const int MaxSearchedSize = 1 << 20;

    /// <summary>The most bytes of licence files searched per module; the files beyond it are reported unknown.</summary>
    public const long MaxModuleLicenceBytes = 2 << 20;

    // A candidate whose distinct words are not mostly in the file cannot be in it.
    private const double MinWordContainment = 0.7;

    // A match may share this much of its span with a better one (texts that end or start alike), not more.
    private const double MaxSharedSpan = 0.1;

    // How much unexplained text is quoted back.
    private const int UnexplainedQuoted = 40;

    // How many matches of one file are listed (the expression always covers them all).
    private const int MaxReportedSpans = 64;

    // How much memory remembered classifications may take, by an estimate of each one's size (typically under 1 KB).
    private const long RememberedBytes = 8 << 20;

    private static readonly Lazy<LicenceDetector> DefaultDetector = new(() => new LicenceDetector(SpdxCorpus.LoadEmbedded()));

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly SpdxCorpus corpus;
    private readonly double threshold;

    /// <summary>
    /// Classifications by the SHA-256 of the file's bytes: the versions of a module, and many modules, ship the same
    /// licence file, and searching one for every SPDX text is the costliest step of an admission.
    /// </summary>
    private readonly MemoryCache classified = new(new MemoryCacheOptions { SizeLimit = RememberedBytes });
    private long searches;

    internal LicenceDetector(SpdxCorpus corpus, double threshold = Threshold)
    {
        this.corpus = corpus;
        this.threshold = threshold;
    }

    /// <summary>How many files were searched rather than answered from the remembered classifications.</summary>
    internal long Searches => Interlocked.Read(ref searches);

    /// <summary>Releases the remembered classifications (<see cref="Default"/> lives as long as the process).</summary>
    public void Dispose() => classified.Dispose();

    /// <summary>The detector over the SPDX texts embedded in this assembly, loaded on first use (thread-safe).</summary>
    public static LicenceDetector Default => DefaultDetector.Value;

    internal SpdxCorpus Corpus => corpus;

    /// <summary>
    /// Whether this file is read as a licence: pkgsite's licence file names (LICENSE, LICENCE, COPYING, UNLICENSE and
    /// their listed variants, any case), the GNU names for the LGPL (COPYING.LESSER, COPYING.LIB), and any file in a
    /// REUSE <c>LICENSES/</c> folder; anywhere in the module but in a subdirectory of a vendor directory.
    /// </summary>
    /// <param name="pathInModule">'/'-separated path relative to the module root, e.g. "sub/COPYING".</param>
    public static bool IsLicenceFile(string pathInModule) => LicenceFileNames.IsLicenceFile(pathInModule);

    /// <summary>Finds the licences in one licence file's content (UTF-8; invalid bytes become U+FFFD).</summary>
    /// <param name="file">Reported back as <see cref="LicenceMatch.File"/>.</param>
    public LicenceMatch Classify(string file, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (content.Length > MaxSearchedSize)
        {
            return TooLarge(file, content.Length);
        }

        string key = Convert.ToHexString(SHA256.HashData(content));
        if (classified.TryGetValue(key, out LicenceMatch? remembered))
        {
            return remembered! with { File = file };
        }

        LicenceMatch match = Search(file, content);
        classified.Set(key, match, new MemoryCacheEntryOptions { Size = EstimatedBytes(match) });
        return match;
    }

    private static long EstimatedBytes(LicenceMatch match) =>
        256 + (2L * (match.Spdx.Length + match.Unexplained.Length)) + (64L * match.Terms.Count) + (96L * match.Spans.Count);

    /// <summary>
    /// <see cref="Classify"/> without the remembered classifications: what a licence file never seen before costs (the
    /// benchmark's figure).
    /// </summary>
    public LicenceMatch Search(string file, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (content.Length > MaxSearchedSize)
        {
            return TooLarge(file, content.Length);
        }

        Interlocked.Increment(ref searches);
        string text = Utf8.GetString(content);
        List<LicenceToken> tokens = LicenceText.Tokens(text);
        var numbers = new int[tokens.Count];
        var known = new HashSet<int>();
        for (int i = 0; i < tokens.Count; i++)
        {
            numbers[i] = corpus.Vocabulary.GetValueOrDefault(tokens[i].Word, -1);
            if (numbers[i] >= 0)
            {
                known.Add(numbers[i]);
            }
        }
        if (known.Count == 0)
        {
            return new LicenceMatch(Unknown, file, 0) { UnexplainedWords = tokens.Count, Unexplained = Quote(tokens, new bool[tokens.Count]) };
        }

        var words = new FileWords(numbers);
        var found = new List<(SpdxText Text, LicenceOccurrence At)>();
        double best = 0;
        // Longest first: a shorter text where a longer one was found with more words aligned than the shorter has
        // cannot win that region (see BestNonOverlapping), so it is not aligned there.
        foreach (SpdxText candidate in corpus.Texts
            .Where(t => t.Words.Length * MinWordContainment <= known.Count && MostlyContained(t.Words, known))
            .OrderByDescending(t => t.Sequence.Length))
        {
            // An optional part explains words only beside its own licence's text, found before it (it is longer).
            if (candidate.Kind == SpdxKind.Optional && !found.Exists(f => f.Text.Kind == SpdxKind.Text && f.Text.Id == candidate.Id))
            {
                continue;
            }
            (List<LicenceOccurrence> occurrences, double bestScore) = LicenceSearch.Find(
                candidate, words, threshold, (start, end) => found.Exists(f => Weight(f) > candidate.Sequence.Length && Shared(f.At, start, end) * 2 > end - start));
            best = Math.Max(best, bestScore);
            found.AddRange(occurrences.Select(at => (candidate, at)));
        }

        List<(SpdxText Text, LicenceOccurrence At)> kept = BestNonOverlapping(found);
        kept.RemoveAll(k => k.Text.Kind == SpdxKind.Optional && !kept.Exists(l => l.Text.Kind == SpdxKind.Text && l.Text.Id == k.Text.Id));
        var explained = new bool[tokens.Count];
        foreach ((_, LicenceOccurrence at) in kept)
        {
            Array.Fill(explained, true, at.Start, at.End - at.Start);
        }
        // Words outside every match, and words inside one that its text does not have (a clause added to a licence).
        int unexplained = explained.Count(e => !e) + kept.Sum(k => k.At.End - k.At.Start - k.At.Common);
        List<string> terms = Terms(kept, tokens);
        if (terms.Count == 0)
        {
            return new LicenceMatch(Unknown, file, Math.Round(best, 4)) { UnexplainedWords = unexplained, Unexplained = Quote(tokens, explained), Spans = Spans(kept, tokens, text) };
        }
        return new LicenceMatch(string.Join(" AND ", terms), file, Math.Round(kept.Min(k => k.At.Score), 4))
        {
            Terms = terms,
            Spans = Spans(kept, tokens, text),
            UnexplainedWords = unexplained,
            Unexplained = Quote(tokens, explained),
        };
    }

    /// <summary>
    /// The module's SPDX expression over its licence files: each distinct term once, in file order, joined by AND; null
    /// when no file holds a known licence. The GNU way of shipping the LGPL-3.0 — its additional permissions in
    /// COPYING.LESSER beside the GPL-3.0 they build on in COPYING — is the LGPL-3.0 alone: a GPL-3.0 term beside an
    /// LGPL-3.0 term in the same directory is part of it.
    /// </summary>
    /// <param name="files">Each licence file's path in the module and its terms (<see cref="LicenceMatch.Terms"/>).</param>
    public static (string? Expression, IReadOnlyList<string> Terms) ModuleExpression(IReadOnlyList<(string File, IReadOnlyList<string> Terms)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var lgpl3Directories = files
            .Where(f => f.Terms.Any(t => t.StartsWith("LGPL-3.0-", StringComparison.Ordinal)))
            .Select(f => Directory(f.File))
            .ToHashSet(StringComparer.Ordinal);
        var terms = new List<string>();
        foreach (var file in files)
        {
            foreach (string term in file.Terms)
            {
                bool partOfLgpl = term is "GPL-3.0-only" or "GPL-3.0-or-later" && lgpl3Directories.Contains(Directory(file.File));
                if (!partOfLgpl && !terms.Contains(term))
                {
                    terms.Add(term);
                }
            }
        }
        return (terms.Count == 0 ? null : string.Join(" AND ", terms), terms);
    }

    private static string Directory(string path) => path[..(path.LastIndexOf('/') + 1)];

    private static bool MostlyContained(int[] candidateWords, HashSet<int> known)
    {
        int allowedMissing = (int)(candidateWords.Length * (1 - MinWordContainment));
        int missing = 0;
        foreach (int word in candidateWords)
        {
            if (!known.Contains(word) && ++missing > allowedMissing)
            {
                return false;
            }
        }
        return true;
    }

    // Best first by weight, then by score.
    private static List<(SpdxText Text, LicenceOccurrence At)> BestNonOverlapping(List<(SpdxText Text, LicenceOccurrence At)> found)
    {
        var kept = new List<(SpdxText Text, LicenceOccurrence At)>();
        foreach (var match in found
            .OrderByDescending(Weight)
            .ThenByDescending(m => m.At.Score)
            .ThenBy(m => m.Text.Kind)
            .ThenBy(m => m.Text.Id, StringComparer.Ordinal))
        {
            int shared = kept.Sum(k => Shared(k.At, match.At.Start, match.At.End));
            if (shared <= MaxSharedSpan * (match.At.End - match.At.Start))
            {
                kept.Add(match);
            }
        }
        kept.Sort((a, b) => a.At.Start.CompareTo(b.At.Start));
        return kept;
    }

    // Words aligned, less the text's words left out and the span's words the text does not have: a longer text that is
    // all there beats a shorter one inside it, a text missing a clause loses to the one without it, and a text that
    // reaches out for stray common words around it pays for the words it spans.
    private static int Weight((SpdxText Text, LicenceOccurrence At) match) =>
        (3 * match.At.Common) - match.Text.Sequence.Length - (match.At.End - match.At.Start);

    private static int Shared(LicenceOccurrence at, int start, int end) => Math.Max(0, Math.Min(at.End, end) - Math.Max(at.Start, start));

    // The file's SPDX terms in order: each licence found, with the exceptions found nearest to it rather than to another
    // licence ("LGPL-3.0-only WITH LGPL-3.0-linking-exception"); an exception in a file without a licence makes no term.
    private static List<string> Terms(List<(SpdxText Text, LicenceOccurrence At)> kept, List<LicenceToken> tokens)
    {
        int fileGrants = LicenceText.CountLaterVersionGrants(tokens.ConvertAll(t => t.Word));
        var licences = kept.Where(k => k.Text.Kind is SpdxKind.Text or SpdxKind.Header).ToList();
        var exceptionsOf = licences.ConvertAll(_ => new List<string>());
        foreach (var exception in kept.Where(k => k.Text.Kind == SpdxKind.Exception))
        {
            int nearest = -1;
            for (int i = 0; i < licences.Count; i++)
            {
                if (nearest < 0 || Distance(licences[i].At, exception.At) < Distance(licences[nearest].At, exception.At))
                {
                    nearest = i;
                }
            }
            if (nearest >= 0 && !exceptionsOf[nearest].Contains(exception.Text.Id))
            {
                exceptionsOf[nearest].Add(exception.Text.Id);
            }
        }
        var terms = new List<string>();
        for (int i = 0; i < licences.Count; i++)
        {
            string term = string.Join(" WITH ", [LicenceId(licences[i].Text, fileGrants), .. exceptionsOf[i]]);
            if (!terms.Contains(term))
            {
                terms.Add(term);
            }
        }
        return terms;
    }

    private static int Distance(LicenceOccurrence a, LicenceOccurrence b) => Math.Max(0, Math.Max(a.Start, b.Start) - Math.Min(a.End, b.End));

    // The GPL family shares one text between "-only" and "-or-later": a full text is "-or-later" when the file grants
    // "any later version" more often than the terms themselves do (a notice above them; the how-to appendix, where the
    // text shows such a notice as an example, is not counted). Headers carry their own id.
    private static string LicenceId(SpdxText text, int fileGrants) =>
        text.OrLater is not null && fileGrants > text.LaterVersionGrants ? text.OrLater : text.Id;

    // The first MaxReportedSpans matches, with their lines (a file may hold a licence hundreds of times).
    private static List<LicenceSpan> Spans(List<(SpdxText Text, LicenceOccurrence At)> kept, List<LicenceToken> tokens, string text)
    {
        var lineEnds = new List<int>();
        for (int i = text.IndexOf('\n', StringComparison.Ordinal); i >= 0; i = text.IndexOf('\n', i + 1))
        {
            lineEnds.Add(i);
        }
        return [.. kept.Take(MaxReportedSpans).Select(k => new LicenceSpan(
            k.Text.Id,
            k.Text.Kind.ToString().ToLowerInvariant(),
            LineOf(lineEnds, tokens[k.At.Start].Start),
            LineOf(lineEnds, tokens[k.At.End - 1].End - 1),
            Math.Round(k.At.Score, 4)))];
    }

    // 1-based: one more than the newlines before the offset.
    private static int LineOf(List<int> lineEnds, int offset)
    {
        int at = lineEnds.BinarySearch(offset);
        return (at >= 0 ? at : ~at) + 1;
    }

    private static string Quote(List<LicenceToken> tokens, bool[] explained)
    {
        var words = new List<string>();
        for (int i = 0; i < tokens.Count && words.Count < UnexplainedQuoted; i++)
        {
            if (!explained[i])
            {
                words.Add(tokens[i].Word);
            }
        }
        return string.Join(' ', words);
    }

    /// <summary>
    /// Classifies every licence file in a module zip, ordered by path (ordinal). Entries outside
    /// <paramref name="modulePrefix"/> are ignored; a licence file larger than <see cref="MaxSearchedSize"/>, unreadable,
    /// or beyond <see cref="MaxModuleLicenceBytes"/> in all is reported as <see cref="Unknown"/> with confidence 0.
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
        long classified = 0;
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
            // Sized before it is read: a file too large to search costs neither the read nor the module's budget.
            if (entry.Length > MaxSearchedSize)
            {
                matches.Add(TooLarge(path, entry.Length));
                continue;
            }
            if (classified + entry.Length > MaxModuleLicenceBytes)
            {
                matches.Add(new LicenceMatch(Unknown, path, 0) { Unexplained = $"not searched: the module's licence files exceed {MaxModuleLicenceBytes} bytes" });
                continue;
            }
            classified += entry.Length;
            matches.Add(ReadCapped(entry) is { } content
                ? Classify(path, content.GetBuffer().AsSpan(0, (int)content.Length))
                : new LicenceMatch(Unknown, path, 0) { Unexplained = "unreadable" });
        }
        matches.Sort((a, b) => string.CompareOrdinal(a.File, b.File));
        return matches;
    }

    private static LicenceMatch TooLarge(string file, long size) =>
        new(Unknown, file, 0) { Unexplained = $"not searched: {size} bytes, more than {MaxSearchedSize}" };

    // The entry's bytes (its declared size is at most MaxSearchedSize), or null when it cannot be read or has more.
    private static MemoryStream? ReadCapped(ZipArchiveEntry entry)
    {
        var content = new MemoryStream((int)entry.Length);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using Stream stream = entry.Open();
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (content.Length + n > MaxSearchedSize)
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
