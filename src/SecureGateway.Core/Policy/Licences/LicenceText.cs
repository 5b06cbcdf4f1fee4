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
    public static List<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = CopyrightNotice().Replace(text, " ");
        s = s.ToLowerInvariant();
        s = MarkdownLinkTarget().Replace(s, "]");
        s = AngleBracketed().Replace(s, " ");
        s = ListMarker().Replace(s, "");
        s = Title().Replace(s, "", 1);
        s = AllRightsReserved().Replace(s, " ");
        s = Whitespace().Replace(s, " ");

        // What a template leaves to the licensor, replaced by the SPDX wording.
        s = NeitherTheName().Replace(s, "neither the name of the copyright holder nor the names of its contributors");
        s = ProvidedBy().Replace(s, "provided by the copyright holders and contributors ");
        s = InNoEventShall().Replace(s, "in no event shall the copyright holders be liable");
        s = DisclaimsAllWarranties().Replace(s, "and the author disclaims all warranties");
        s = DevelopedBy().Replace(s, "includes software developed by the organization");
        s = s.Replace(" & ", " and ", StringComparison.Ordinal);

        return Tokenise(s);
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
    // ("non-infringement", "party's", "2.0"), any other character separates.
    private static List<string> Tokenise(string s)
    {
        var words = new List<string>(s.Length / 6);
        var word = new StringBuilder(32);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
                continue;
            }
            bool joiner = c is '-' or '\'' or '\u2019' or '.' or '\u2010' or '\u2011';
            if (joiner && word.Length > 0 && i + 1 < s.Length && char.IsLetterOrDigit(s[i + 1]))
            {
                continue;
            }
            Flush(word, words);
        }
        Flush(word, words);
        return words;
    }

    private static void Flush(StringBuilder word, List<string> words)
    {
        if (word.Length == 0)
        {
            return;
        }
        string w = word.ToString();
        words.Add(Varieties.TryGetValue(w, out string? v) ? v : w);
        word.Clear();
    }

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

    [GeneratedRegex(@"all rights reserved\.?")]
    private static partial Regex AllRightsReserved();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    // BSD-3-Clause: "Neither the name of Google Inc. nor the names of its contributors".
    [GeneratedRegex(@"neither the names? of " + Holder + @"{1,150}? nor the names of (?:its|their|the|his|her) contributors")]
    private static partial Regex NeitherTheName();

    // BSD: "THIS SOFTWARE IS PROVIDED BY THE REGENTS AND CONTRIBUTORS ``AS IS''".
    [GeneratedRegex(@"provided by " + Holder + @"{1,150}? (?=[^\p{L}\p{N} ]*as is\b)")]
    private static partial Regex ProvidedBy();

    // BSD, MIT, ISC: "IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE".
    [GeneratedRegex(@"in no event shall " + Holder + @"{1,150}? be liable")]
    private static partial Regex InNoEventShall();

    // ISC: "AND ISC DISCLAIMS ALL WARRANTIES".
    [GeneratedRegex(@"and " + Holder + @"{1,100}? disclaims all warranties")]
    private static partial Regex DisclaimsAllWarranties();

    // BSD-4-Clause: "This product includes software developed by the University of California, Berkeley ...".
    [GeneratedRegex(@"includes software developed by [^.;:]{1,150}?(?=[.;:])")]
    private static partial Regex DevelopedBy();
}
