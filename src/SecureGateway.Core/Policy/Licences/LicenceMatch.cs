namespace SecureGateway.Policy.Licences;

/// <summary>One licence file of a module and what was found in it.</summary>
/// <param name="Spdx">
/// The file's SPDX expression (<c>MIT</c>, <c>MIT AND BSD-3-Clause</c>, <c>LGPL-3.0-only WITH LGPL-3.0-linking-exception</c>),
/// or <see cref="LicenceDetector.Unknown"/> ("unknown") when no SPDX licence scored at or above
/// <see cref="LicenceDetector.Threshold"/> in it, or it cannot be read.
/// </param>
/// <param name="File">The '/'-separated path of the file relative to the module root, e.g. "LICENSE" or "sub/COPYING".</param>
/// <param name="Confidence">
/// The lowest score of the matches making up <paramref name="Spdx"/> (0–1, four decimals); for "unknown" the best score
/// seen (below the threshold), 0 when the file was unreadable or too large.
/// </param>
public sealed record LicenceMatch(string Spdx, string File, double Confidence)
{
    /// <summary>The terms of <see cref="Spdx"/> (licences, each with its exceptions); empty for "unknown".</summary>
    public IReadOnlyList<string> Terms { get; init; } = [];

    /// <summary>Each licence text, standard header and exception found, in the order they appear (the first 64).</summary>
    public IReadOnlyList<LicenceSpan> Spans { get; init; } = [];

    /// <summary>
    /// How many words of the file no match explains: outside every match, and inside one where its text has none (a
    /// sentence added to a licence); copyright lines are not counted.
    /// </summary>
    public int UnexplainedWords { get; init; }

    /// <summary>The first of the words outside every match, normalised, for a reviewer to see what they are.</summary>
    public string Unexplained { get; init; } = "";
}

/// <summary>One SPDX text found in a licence file.</summary>
/// <param name="Spdx">The licence or exception id.</param>
/// <param name="Kind">
/// <c>text</c> (the licence's text), <c>header</c> (its standard notice), <c>exception</c>, or <c>optional</c> (a part of
/// the licence's text SPDX marks optional, found beside it).
/// </param>
/// <param name="StartLine">First line of the file it covers (1-based).</param>
/// <param name="EndLine">Last line it covers.</param>
/// <param name="Score">Sørensen–Dice coefficient of the text's words and the span's, 0–1.</param>
public sealed record LicenceSpan(string Spdx, string Kind, int StartLine, int EndLine, double Score);
