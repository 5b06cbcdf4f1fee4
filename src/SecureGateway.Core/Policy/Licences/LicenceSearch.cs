using System.Numerics;

namespace SecureGateway.Policy.Licences;

/// <summary>
/// Finds where one SPDX text occurs within a file's words, as often as it does. Word trigrams the two share point at
/// the candidate regions (a copy of the text puts its shared trigrams on one diagonal, file position minus text
/// position, drifting only by what was inserted or left out); each region is then aligned word by word: the longest
/// common subsequence of the text and the region, computed bit-parallel (Hyyrö), with the region trimmed where the
/// score is best.
/// </summary>
/// <remarks>
/// The score of an occurrence is the Sørensen–Dice coefficient of the two word sequences, 2·LCS / (text + span): a
/// word changed, left out or added inside the span costs the same, and text around the span costs nothing (it is the
/// file's, reported as unexplained). licenseclassifier v2 (pkgsite) finds licences within text the same way in spirit:
/// q-gram hits, then a word-level diff of the region.
/// </remarks>
internal static class LicenceSearch
{
    /// <summary>Words per gram.</summary>
    public const int GramLength = 3;

    // A trigram this common in the file ("of this license") says nothing about where a copy is.
    private const int MaxGramRepeats = 12;

    // At most this many copies of one text in one file are looked for.
    private const int MaxOccurrences = 8;

    /// <summary>The occurrences of <paramref name="text"/> in <paramref name="file"/> scoring at least <paramref name="threshold"/>, and the best score seen.</summary>
    /// <param name="explained">Whether file words [start, end) are already explained better than this text could; such a region is not aligned.</param>
    public static (List<LicenceOccurrence> Found, double BestScore) Find(SpdxText text, FileWords file, double threshold, Func<int, int, bool> explained)
    {
        var found = new List<LicenceOccurrence>();
        double best = 0;
        int[] words = text.Sequence;
        int grams = words.Length - GramLength + 1;
        if (grams <= 0)
        {
            return (found, best);
        }

        // A hit is a trigram both have: its diagonal (file position minus text position) in the high half, so that
        // sorting the numbers sorts by diagonal, and its file position in the low half.
        var hits = new List<long>();
        for (int i = 0; i < grams; i++)
        {
            long gram = Gram(words, i);
            if (gram < 0 || !file.Grams.TryGetValue(gram, out (int First, int Count) where) || where.Count > MaxGramRepeats)
            {
                continue;
            }
            for (int p = where.First; p >= 0; p = file.NextSameGram[p])
            {
                hits.Add(((long)(p - i) << 32) | (uint)p);
            }
        }
        long[] sorted = [.. hits];
        Array.Sort(sorted);
        var spent = new bool[sorted.Length];

        // A copy keeps at least a quarter of its trigrams even with every tenth word changed; fewer cannot score enough.
        int needed = Math.Max(1, grams / 4);
        int band = Math.Max(16, words.Length / 8);
        for (int round = 0; round < MaxOccurrences; round++)
        {
            (int from, int to, int count) = DensestBand(sorted, spent, band);
            if (count < needed)
            {
                break;
            }

            int fileFirst = int.MaxValue, fileLast = 0, textFirst = int.MaxValue, textLast = 0;
            for (int k = from; k < to; k++)
            {
                if (spent[k])
                {
                    continue;
                }
                int fileAt = (int)sorted[k], textAt = fileAt - (int)(sorted[k] >> 32);
                fileFirst = Math.Min(fileFirst, fileAt);
                fileLast = Math.Max(fileLast, fileAt);
                textFirst = Math.Min(textFirst, textAt);
                textLast = Math.Max(textLast, textAt);
            }
            // Room for the text's words before the first and after the last shared trigram, plus a little drift.
            int slack = Math.Max(4, words.Length / 20);
            int start = Math.Max(0, fileFirst - textFirst - slack);
            int end = Math.Min(file.Words.Length, fileLast + GramLength + (words.Length - textLast - GramLength) + slack);

            LicenceOccurrence occurrence = explained(start, end) ? new LicenceOccurrence(start, start, 0, 0) : Align(text, file.Words, start, end);
            best = Math.Max(best, occurrence.Score);
            if (occurrence.Score >= threshold)
            {
                found.Add(occurrence);
            }
            // The band's hits are spent whatever it scored, and so are all hits inside a copy found: the next round
            // looks elsewhere.
            for (int k = 0; k < sorted.Length; k++)
            {
                int fileAt = (int)sorted[k];
                spent[k] |= (k >= from && k < to) || (occurrence.Score >= threshold && fileAt >= occurrence.Start && fileAt < occurrence.End);
            }
        }
        return (found, best);
    }

    /// <summary>The trigram at <paramref name="at"/> as one number (word numbers are below 2^21), or -1 when a word is not in the corpus.</summary>
    public static long Gram(int[] words, int at)
    {
        int a = words[at], b = words[at + 1], c = words[at + 2];
        return (a | b | c) < 0 ? -1 : ((long)a << 42) | ((long)b << 21) | (uint)c;
    }

    // The run of hits (sorted by diagonal) within one band of diagonals that holds the most hits not yet spent.
    private static (int From, int To, int Count) DensestBand(long[] hits, bool[] spent, int band)
    {
        (int from, int to, int most) = (0, 0, 0);
        int left = 0, live = 0;
        for (int right = 0; right < hits.Length; right++)
        {
            live += spent[right] ? 0 : 1;
            while ((hits[right] >> 32) - (hits[left] >> 32) > band)
            {
                live -= spent[left] ? 0 : 1;
                left++;
            }
            if (live > most)
            {
                (from, to, most) = (left, right + 1, live);
            }
        }
        return (from, to, most);
    }

    /// <summary>
    /// The longest common subsequence of the text and file[start..end), with the span trimmed where the score is best:
    /// the region's end where the words aligned so far, against the text and the span so far, score highest, then its
    /// start the same way backwards. (Trimming to the last aligned word instead would let a common word or two beyond
    /// the copy, "the", "of", stretch the span over whatever follows.)
    /// </summary>
    internal static LicenceOccurrence Align(SpdxText text, int[] file, int start, int end)
    {
        int length = text.Sequence.Length;
        List<int> forward = Lcs(text.Masks(reversed: false), length, file, start, end, forward: true);
        if (forward.Count == 0)
        {
            return new LicenceOccurrence(start, start, 0, 0);
        }
        int common = Best(forward, length, reached => reached - start);
        int alignedEnd = forward[common - 1];
        List<int> backward = Lcs(text.Masks(reversed: true), length, file, start, alignedEnd, forward: false);
        common = Best(backward, length, reached => alignedEnd - reached);
        int alignedStart = backward[common - 1];
        int span = alignedEnd - alignedStart;
        return new LicenceOccurrence(alignedStart, alignedEnd, common, 2.0 * common / (length + span));
    }

    // How many aligned words give the best score, given where each count was reached and the span it makes.
    private static int Best(List<int> reached, int length, Func<int, int> span)
    {
        int best = 1;
        for (int k = 2; k <= reached.Count; k++)
        {
            // 2k / (length + span(k)) against the best so far, cross-multiplied; ties go to more words.
            if ((long)k * (length + span(reached[best - 1])) >= (long)best * (length + span(reached[k - 1])))
            {
                best = k;
            }
        }
        return best;
    }

    // Hyyrö's bit-vector LCS: one bit per text word, V = (V + (V & M)) | (V & ~M) per file word, LCS = zeros in V.
    // Walks file[start..end) forwards (or backwards, with the text's masks reversed) and returns where the LCS first
    // reached 1, 2, …: the exclusive end of the span so far forwards, its start backwards. A word changes V only from
    // its first occurrence in the text up to where the carry stops, so the blocks before are skipped.
    private static List<int> Lcs(Dictionary<int, (int First, ulong[] Bits)> masks, int length, int[] file, int start, int end, bool forward)
    {
        int blocks = (length + 63) / 64;
        ulong lastBlockBits = length % 64 == 0 ? ulong.MaxValue : (1UL << (length % 64)) - 1;
        var v = new ulong[blocks];
        Array.Fill(v, ulong.MaxValue);
        var reached = new List<int>();
        for (int step = 0; step < end - start; step++)
        {
            int at = forward ? start + step : end - 1 - step;
            if (!masks.TryGetValue(file[at], out var mask))
            {
                continue;
            }
            ulong carry = 0;
            int zerosGained = 0;
            ulong[] bits = mask.Bits;
            for (int k = mask.First; k < blocks; k++)
            {
                ulong m = bits[k];
                if (m == 0 && carry == 0)
                {
                    continue;
                }
                ulong old = v[k];
                ulong u = old & m;
                ulong sum = old + u;
                ulong carried = sum + carry;
                carry = (sum < old || carried < sum) ? 1UL : 0UL;
                ulong now = carried | (old & ~m);
                v[k] = now;
                ulong valid = k == blocks - 1 ? lastBlockBits : ulong.MaxValue;
                zerosGained += BitOperations.PopCount(~now & valid) - BitOperations.PopCount(~old & valid);
            }
            // One more file word lengthens the LCS by one at most.
            if (zerosGained > 0)
            {
                reached.Add(forward ? at + 1 : at);
            }
        }
        return reached;
    }
}

/// <summary>The numbered words of one file and where each trigram of them occurs.</summary>
internal sealed class FileWords
{
    public FileWords(int[] words)
    {
        Words = words;
        NextSameGram = new int[Math.Max(0, words.Length - LicenceSearch.GramLength + 1)];
        for (int p = NextSameGram.Length - 1; p >= 0; p--)
        {
            long gram = LicenceSearch.Gram(words, p);
            if (gram < 0)
            {
                NextSameGram[p] = -1;
                continue;
            }
            NextSameGram[p] = Grams.TryGetValue(gram, out (int First, int Count) seen) ? seen.First : -1;
            Grams[gram] = (p, seen.Count + 1);
        }
    }

    /// <summary>Word numbers in the corpus vocabulary; -1 for a word no SPDX text has.</summary>
    public int[] Words { get; }

    /// <summary>Each trigram's first position and how often it occurs.</summary>
    public Dictionary<long, (int First, int Count)> Grams { get; } = [];

    /// <summary>The next position with the same trigram, -1 after the last.</summary>
    public int[] NextSameGram { get; }
}

/// <summary>Where a text was found: file words [Start, End), how many of them align with it, and the score.</summary>
internal readonly record struct LicenceOccurrence(int Start, int End, int Common, double Score);
