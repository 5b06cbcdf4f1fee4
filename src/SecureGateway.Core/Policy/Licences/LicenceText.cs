using System.Text;
using System.Text.RegularExpressions;

namespace SecureGateway.Policy.Licences;

/// <summary>
/// Normalises a licence text into the words that are compared, in the spirit of licensee's ContentHelper:
/// the same steps run on the SPDX texts and on the module's file, so only what differs between copies of one
/// licence is removed: case, punctuation, markup, line wrapping, copyright notices, and the names a template
/// leaves to the licensor (BSD's "the copyright holder", ISC's "ISC", MIT's "the authors").
/// </summary>
internal static partial class LicenceText
{
    // A licensor's name in a template sentence: no sentence end, but "Inc." or "Ltd." may be part of it.
    private const string Holder = @"(?:[^.;:]|(?<=\b(?:inc|ltd|co|corp|llc))\.)";

    // Spelling varieties mapped to one form (a few of licensee's VARIETAL_WORDS).
    private static readonly Dictionary<string, string> Varieties = new(StringComparer.Ordinal)
    {
        ["licence"] = "license",
        ["licences"] = "licenses",
        ["licenced"] = "licensed",
        ["licencing"] = "licensing",
        ["licencor"] = "licensor",
        ["licencee"] = "licensee",
        ["acknowledgement"] = "acknowledgment",
        ["acknowledgements"] = "acknowledgments",
        ["authorise"] = "authorize",
        ["authorised"] = "authorized",
        ["organisation"] = "organization",
        ["organisations"] = "organizations",
        ["https"] = "http",
    };

    /// <summary>The normalised words of <paramref name="text"/>, in order, repeats kept.</summary>
    public static List<string> Words(string text) => Tokens(text).ConvertAll(token => token.Word);

    /// <summary>
    /// The normalised words of <paramref name="text"/> with where each came from in it, so a licence found among them
    /// can be reported as a span of the file. Every step keeps the text's offsets: what is dropped is blanked, and a
    /// licensor's name is replaced by the template's wording at the name's place.
    /// </summary>
    public static List<LicenceToken> Tokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        char[] blanked = text.ToCharArray();
        Blank(blanked, CopyrightNotice().Matches(text));
        string s = new string(blanked).ToLowerInvariant();
        blanked = s.ToCharArray();
        foreach (Regex dropped in (Regex[])[MarkdownLinkTarget(), AngleBracketed(), ListMarker(), AllRightsReserved()])
        {
            Blank(blanked, dropped.Matches(s));
        }
        s = new string(blanked);
        if (Title().Match(s) is { Success: true } title)
        {
            Blank(blanked, [title]);
            s = new string(blanked);
        }

        var substitutions = new List<(int Start, int End, string[] Words)>();
        foreach ((Regex template, string[] wording) in HolderTemplates)
        {
            foreach (Match m in template.Matches(s))
            {
                if (!substitutions.Exists(other => m.Index < other.End && other.Start < m.Index + m.Length))
                {
                    substitutions.Add((m.Index, m.Index + m.Length, wording));
                }
            }
        }
        substitutions.Sort((a, b) => a.Start.CompareTo(b.Start));
        return Tokenise(s, substitutions);
    }

    private static void Blank(char[] text, IEnumerable<Match> matches)
    {
        foreach (Match m in matches)
        {
            Array.Fill(text, ' ', m.Index, m.Length);
        }
    }

    /// <summary>
    /// How often the words grant "any later version" (GPL family notices: "either version 2 of the License, or
    /// (at your option) any later version"; GPL-3.0's own section 14 says "or any later version").
    /// </summary>
    /// <remarks>Counted in the terms only: the how-to appendix after them shows such a notice as an example.</remarks>
    public static int CountLaterVersionGrants(IReadOnlyList<string> words)
    {
        int count = 0;
        int end = EndOfTerms(words);
        for (int i = 0; i + 3 < end; i++)
        {
            if (words[i] != "or")
            {
                continue;
            }
            int j = i + 1;
            if (j + 2 < end && words[j] == "at" && words[j + 1] == "your" && words[j + 2] == "option")
            {
                j += 3;
            }
            if (j + 2 < end && words[j] == "any" && words[j + 1] == "later" && words[j + 2] == "version")
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// Where "END OF TERMS AND CONDITIONS" starts (Apache, GPL family: the how-to appendix follows, and copies often
    /// leave it out), or the word count when the text has no such line.
    /// </summary>
    public static int EndOfTerms(IReadOnlyList<string> words)
    {
        for (int i = 0; i + 4 < words.Count; i++)
        {
            if (words[i] == "end" && words[i + 1] == "of" && words[i + 2] == "terms" && words[i + 3] == "and" && words[i + 4] == "conditions")
            {
                return i;
            }
        }
        return words.Count;
    }

    // Words are runs of letters and digits; an apostrophe, hyphen or dot between two of them joins them
    // ("non-infringement", "party's", "2.0"), any other character separates. A lone "&" is "and".
    private static List<LicenceToken> Tokenise(string s, List<(int Start, int End, string[] Words)> substitutions)
    {
        var tokens = new List<LicenceToken>(s.Length / 6);
        var word = new StringBuilder(32);
        int wordStart = 0;
        int next = 0;
        for (int i = 0; i < s.Length; i++)
        {
            if (next < substitutions.Count && i == substitutions[next].Start)
            {
                Flush(word, wordStart, i, tokens);
                (int start, int end, string[] words) = substitutions[next++];
                tokens.AddRange(words.Select(w => new LicenceToken(w, start, end)));
                i = end - 1;
                continue;
            }
            char c = s[i];
            if (char.IsLetterOrDigit(c))
            {
                if (word.Length == 0)
                {
                    wordStart = i;
                }
                word.Append(c);
                continue;
            }
            bool joiner = c is '-' or '\'' or '\u2019' or '.' or '\u2010' or '\u2011';
            if (joiner && word.Length > 0 && i + 1 < s.Length && char.IsLetterOrDigit(s[i + 1]))
            {
                continue;
            }
            Flush(word, wordStart, i, tokens);
            if (c == '&' && (i == 0 || char.IsWhiteSpace(s[i - 1])) && (i + 1 == s.Length || char.IsWhiteSpace(s[i + 1])))
            {
                tokens.Add(new LicenceToken("and", i, i + 1));
            }
        }
        Flush(word, wordStart, s.Length, tokens);
        return tokens;
    }

    private static void Flush(StringBuilder word, int start, int end, List<LicenceToken> tokens)
    {
        if (word.Length == 0)
        {
            return;
        }
        string w = word.ToString();
        tokens.Add(new LicenceToken(Varieties.TryGetValue(w, out string? v) ? v : w, start, end));
        word.Clear();
    }

    // What a template leaves to the licensor, replaced by the SPDX wording.
    private static readonly (Regex Template, string[] Wording)[] HolderTemplates =
    [
        (NeitherTheName(), "neither the name of the copyright holder nor the names of its contributors".Split(' ')),
        (ProvidedBy(), "provided by the copyright holders and contributors".Split(' ')),
        (InNoEventShall(), "in no event shall the copyright holders be liable".Split(' ')),
        (DisclaimsAllWarranties(), "and the author disclaims all warranties".Split(' ')),
        (DevelopedBy(), "includes software developed by the organization".Split(' ')),
    ];

    // [text](url) keeps the text.
    [GeneratedRegex(@"\]\([^)\s]*\)")]
    private static partial Regex MarkdownLinkTarget();

    // Template fields (<year>, <owner>), URLs and e-mail addresses in angle brackets, HTML tags.
    [GeneratedRegex(@"<[^<>\n]{0,100}>")]
    private static partial Regex AngleBracketed();

    // A copyright notice: a line that starts (after comment or list markers) with "Copyright" and a name, a year, a
    // symbol or a field ("Copyright (c) 2024 Someone", "Copyright The Go Authors", "Copyright [yyyy]"), or with "(c)"
    // and a year, or "©"; up to the end of the line or of its sentence ("… Inc. Permission is hereby granted" on one
    // line keeps the grant). "copyright notice" or "COPYRIGHT OWNER" starting a wrapped line stays.
    [GeneratedRegex(@"^[^\p{L}\p{N}(©\n]*(?:(?i:copyright)(?:[ \t]*(?i:\(c\))|[ \t]*©)?[ \t]+(?=\p{Lu}\p{Ll}|[\d\[<(©])|(?i:\(c\))[ \t]*(?=\d)|©)[^\n]*?(?:(?<=\.)(?=[ \t]+\p{Lu}\p{Ll})|$)", RegexOptions.Multiline)]
    private static partial Regex CopyrightNotice();

    // "1.", "(a)", "ii)", "* " at the start of a line: list numbering that copies change freely.
    [GeneratedRegex(@"^[ \t>*#+-]*(?:\(?(?:\d{1,3}|[a-z]|[ivx]{1,5})[.)]|\(\w{1,4}\))(?=[ \t])", RegexOptions.Multiline)]
    private static partial Regex ListMarker();

    // A title as the first line: a few words naming a licence ("The MIT License (MIT)", "ISC License").
    [GeneratedRegex(@"\A\s*[^\n.:]{0,40}\b(?:licen[cs]e|copying|unlicense)\b[^\n.:]{0,30}:?[ \t]*(?:\n|\z)")]
    private static partial Regex Title();

    [GeneratedRegex(@"all\s+rights\s+reserved\.?")]
    private static partial Regex AllRightsReserved();

    // BSD-3-Clause: "Neither the name of Google Inc. nor the names of its contributors".
    [GeneratedRegex(@"neither\s+the\s+names?\s+of\s+" + Holder + @"{1,200}?\s+nor\s+the\s+names\s+of\s+(?:its|their|the|his|her)\s+contributors")]
    private static partial Regex NeitherTheName();

    // BSD: "THIS SOFTWARE IS PROVIDED BY THE REGENTS AND CONTRIBUTORS ``AS IS''" (the space before "as is" stays).
    [GeneratedRegex(@"provided\s+by\s+" + Holder + @"{1,200}?(?=\s+[^\p{L}\p{N}\s]*as\s+is\b)")]
    private static partial Regex ProvidedBy();

    // BSD, MIT, ISC: "IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE".
    [GeneratedRegex(@"in\s+no\s+event\s+shall\s+" + Holder + @"{1,200}?\s+be\s+liable")]
    private static partial Regex InNoEventShall();

    // ISC: "AND ISC DISCLAIMS ALL WARRANTIES".
    [GeneratedRegex(@"\band\s+" + Holder + @"{1,130}?\s+disclaims\s+all\s+warranties")]
    private static partial Regex DisclaimsAllWarranties();

    // BSD-4-Clause: "This product includes software developed by the University of California, Berkeley ...".
    [GeneratedRegex(@"includes\s+software\s+developed\s+by\s+[^.;:]{1,200}?(?=[.;:])")]
    private static partial Regex DevelopedBy();
}

/// <summary>A normalised word and the characters of the text it stands for (<see cref="Start"/> inclusive, <see cref="End"/> exclusive).</summary>
internal readonly record struct LicenceToken(string Word, int Start, int End);
