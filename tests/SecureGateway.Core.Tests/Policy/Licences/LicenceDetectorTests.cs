using System.Text;
using SecureGateway.Policy.Licences;

namespace SecureGateway.Core.Tests.Policy.Licences;

public sealed class LicenceDetectorTests
{
    private const string CommonLicenses = "/usr/share/common-licenses";

    // The MIT text as GitHub's licence picker writes it.
    private const string MitWithCopyright = """
        MIT License

        Copyright (c) 2024 Someone

        Permission is hereby granted, free of charge, to any person obtaining a copy
        of this software and associated documentation files (the "Software"), to deal
        in the Software without restriction, including without limitation the rights
        to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
        copies of the Software, and to permit persons to whom the Software is
        furnished to do so, subject to the following conditions:

        The above copyright notice and this permission notice shall be included in all
        copies or substantial portions of the Software.

        THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
        OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
        SOFTWARE.
        """;

    // The Go project's LICENSE: BSD-3-Clause with the holder filled in and "*" bullets.
    private const string GoBsd = """
        Copyright (c) 2009 The Go Authors. All rights reserved.

        Redistribution and use in source and binary forms, with or without
        modification, are permitted provided that the following conditions are
        met:

           * Redistributions of source code must retain the above copyright
        notice, this list of conditions and the following disclaimer.
           * Redistributions in binary form must reproduce the above
        copyright notice, this list of conditions and the following disclaimer
        in the documentation and/or other materials provided with the
        distribution.
           * Neither the name of Google Inc. nor the names of its
        contributors may be used to endorse or promote products derived from
        this software without specific prior written permission.

        THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
        "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
        LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
        A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT
        OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
        SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
        LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE,
        DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
        THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
        (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
        OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
        """;

    private const string GplNotice = """
        This program is free software: you can redistribute it and/or modify
        it under the terms of the GNU General Public License as published by
        the Free Software Foundation, either version 3 of the License, or
        (at your option) any later version.


        """;

    private static readonly LicenceDetector Detector = LicenceDetector.Default;

    // Debian's base-files texts (present on every Debian, including CI). LGPL-3 there is only the additional
    // permissions, matched by the second LGPL-3.0 text the generator derives; Artistic is Perl's 1.0.
    [Theory]
    [InlineData("Apache-2.0", "Apache-2.0")]
    [InlineData("GPL-2", "GPL-2.0-only")]
    [InlineData("GPL-3", "GPL-3.0-only")]
    [InlineData("LGPL-2.1", "LGPL-2.1-only")]
    [InlineData("LGPL-3", "LGPL-3.0-only")]
    [InlineData("MPL-2.0", "MPL-2.0")]
    [InlineData("BSD", "BSD-3-Clause")]
    [InlineData("Artistic", "Artistic-1.0-Perl")]
    [InlineData("CC0-1.0", "CC0-1.0")]
    public void Classify_DebianCommonLicence_SpdxId(string file, string spdx)
    {
        LicenceMatch match = Detector.Classify(file, File.ReadAllBytes(Path.Combine(CommonLicenses, file)));

        Assert.Equal(spdx, match.Spdx);
        Assert.Equal(file, match.File);
        Assert.InRange(match.Confidence, 0.97, 1.0);
    }

    [Fact]
    public void Classify_MitWithCopyrightLine_Mit()
    {
        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(MitWithCopyright));

        Assert.Equal(("MIT", "LICENSE", 1.0), (match.Spdx, match.File, match.Confidence));
    }

    [Fact]
    public void Classify_SameBytesAgain_RememberedUnderTheNewFileName()
    {
        using var detector = new LicenceDetector(Detector.Corpus);
        byte[] content = Encoding.UTF8.GetBytes(MitWithCopyright.Replace("Someone", "Someone Else", StringComparison.Ordinal));

        LicenceMatch first = detector.Classify("LICENSE", content);
        LicenceMatch again = detector.Classify("sub/LICENSE.md", content);

        Assert.Equal(1, detector.Searches);
        Assert.Equal(first with { File = "sub/LICENSE.md" }, again);
        Assert.Equal("LICENSE", first.File);
    }

    [Fact]
    public void Classify_OneByteChanged_SearchedAfresh()
    {
        using var detector = new LicenceDetector(Detector.Corpus);
        LicenceMatch original = detector.Classify("LICENSE", Encoding.UTF8.GetBytes(MitWithCopyright));

        LicenceMatch changed = detector.Classify("LICENSE", Encoding.UTF8.GetBytes(MitWithCopyright.Replace("copies or substantial", "copies or trivial", StringComparison.Ordinal)));

        Assert.Equal(2, detector.Searches);
        Assert.Equal("MIT", original.Spdx);
        Assert.True(changed.UnexplainedWords > original.UnexplainedWords, $"{changed.UnexplainedWords} unexplained words, {original.UnexplainedWords} before the change");
    }

    [Fact]
    public void Classify_GoProjectBsd_Bsd3Clause()
    {
        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(GoBsd));

        Assert.Equal("BSD-3-Clause", match.Spdx);
        Assert.InRange(match.Confidence, 0.98, 1.0);
    }

    // The SPDX texts with their template fields filled in the way a project does.
    [Theory]
    [InlineData("MIT", "<year> <copyright holders>", "2024 Someone")]
    [InlineData("BSD-3-Clause", "<year> <owner>", "2019-2024, Example Corp. <legal@example.com>")]
    [InlineData("BSD-2-Clause", "<year> <owner>", "2024 Someone")]
    [InlineData("ISC", "", "")]
    public void Classify_SpdxTextWithCopyrightLine_SameId(string spdx, string field, string holder)
    {
        string text = SpdxText(spdx);
        if (field.Length > 0)
        {
            Assert.Contains(field, text, StringComparison.Ordinal);
            text = text.Replace(field, holder, StringComparison.Ordinal);
        }

        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(text));

        Assert.Equal(spdx, match.Spdx);
        Assert.InRange(match.Confidence, 0.98, 1.0);
    }

    // Every licence the gateway's policies name is recognised from its own SPDX text, as itself.
    [Theory]
    [InlineData("MIT")]
    [InlineData("MIT-0")]
    [InlineData("Apache-2.0")]
    [InlineData("BSD-2-Clause")]
    [InlineData("BSD-3-Clause")]
    [InlineData("BSD-3-Clause-Clear")]
    [InlineData("BSD-4-Clause")]
    [InlineData("ISC")]
    [InlineData("0BSD")]
    [InlineData("Zlib")]
    [InlineData("Unlicense")]
    [InlineData("CC0-1.0")]
    [InlineData("MPL-2.0")]
    [InlineData("EPL-1.0")]
    [InlineData("EPL-2.0")]
    [InlineData("LGPL-2.1-only")]
    [InlineData("LGPL-3.0-only")]
    [InlineData("GPL-2.0-only")]
    [InlineData("GPL-3.0-only")]
    [InlineData("AGPL-3.0-only")]
    [InlineData("SSPL-1.0")]
    [InlineData("BSL-1.0")]
    [InlineData("Artistic-2.0")]
    [InlineData("CDDL-1.0")]
    [InlineData("EUPL-1.2")]
    [InlineData("OSL-3.0")]
    [InlineData("WTFPL")]
    [InlineData("PostgreSQL")]
    [InlineData("Python-2.0")]
    [InlineData("NCSA")]
    [InlineData("X11")]
    [InlineData("Unicode-DFS-2016")]
    [InlineData("CC-BY-4.0")]
    [InlineData("CC-BY-SA-4.0")]
    public void Classify_SpdxText_Itself(string spdx)
    {
        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(SpdxText(spdx)));

        Assert.Equal((spdx, "LICENSE", 1.0), (match.Spdx, match.File, match.Confidence));
    }

    // A similarity cannot tell a licence from the licence with a few words added; what it can do is count them.
    [Fact]
    public void Classify_WordsAddedInsideMit_MitWithThemCounted()
    {
        string restricted = MitWithCopyright.Replace("to deal\nin the Software", "to deal\nin the Software for non-commercial purposes only", StringComparison.Ordinal);

        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(restricted));

        Assert.Equal("MIT", match.Spdx);
        Assert.Equal(4, match.UnexplainedWords);
    }

    [Fact]
    public void Classify_TermsAppendedToMit_MitWithTheTermsUnexplained()
    {
        string appended = MitWithCopyright + "\n\nAdditional terms: " + string.Join(' ', Enumerable.Repeat("the software may not be sold or offered as a hosted service", 10));

        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(appended));

        Assert.Equal("MIT", match.Spdx);
        Assert.Equal(122, match.UnexplainedWords);
        Assert.StartsWith("additional terms the software may not be sold", match.Unexplained, StringComparison.Ordinal);
    }

    // The notice many GPL projects ship in place of the text: GPL-2.0's "-or-later" standard header, not the LGPL's.
    [Fact]
    public void Classify_Gpl2OrLaterNoticeAlone_Gpl2OrLater()
    {
        const string Notice = """
            Copyright (C) 2015 Someone <someone@example.com>

            This program is free software; you can redistribute it and/or modify
            it under the terms of the GNU General Public License as published by
            the Free Software Foundation; either version 2 of the License, or
            (at your option) any later version.

            This program is distributed in the hope that it will be useful,
            but WITHOUT ANY WARRANTY; without even the implied warranty of
            MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
            GNU General Public License for more details.

            You should have received a copy of the GNU General Public License along
            with this program; if not, write to the Free Software Foundation, Inc.,
            51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA.
            """;

        LicenceMatch match = Detector.Classify("COPYING", Encoding.UTF8.GetBytes(Notice));

        Assert.Equal("GPL-2.0-or-later", match.Spdx);
        Assert.Equal(["header"], match.Spans.Select(s => s.Kind));
    }

    // SPDX marks GPL-2.0's how-to appendix optional: alone it is no licence text, but the notice it shows is found.
    [Fact]
    public void Classify_GplHowToAppendixAlone_TheNoticeInIt()
    {
        string gpl = SpdxText("GPL-2.0-only");
        string appendix = gpl[gpl.IndexOf("How to Apply These Terms", StringComparison.Ordinal)..];

        LicenceMatch match = Detector.Classify("COPYING", Encoding.UTF8.GetBytes(appendix));

        Assert.Equal("GPL-2.0-or-later", match.Spdx);
        Assert.Equal(["header"], match.Spans.Select(s => s.Kind));
    }

    // The GNU way: COPYING holds the GPL-3.0 that COPYING.LESSER's permissions build on, in the same directory.
    [Theory]
    [InlineData("COPYING", "COPYING.LESSER", "LGPL-3.0-only")]
    [InlineData("COPYING", "sub/COPYING.LESSER", "GPL-3.0-only AND LGPL-3.0-only")]
    public void ModuleExpression_GplBesideLgplPermissions_Lgpl(string gplFile, string lgplFile, string expected)
    {
        LicenceMatch gpl = Detector.Classify(gplFile, File.ReadAllBytes(Path.Combine(CommonLicenses, "GPL-3")));
        LicenceMatch lgpl = Detector.Classify(lgplFile, File.ReadAllBytes(Path.Combine(CommonLicenses, "LGPL-3")));

        Assert.Equal(expected, LicenceDetector.ModuleExpression([(gpl.File, gpl.Terms), (lgpl.File, lgpl.Terms)]).Expression);
    }

    // Every SPDX text, standard header and exception of the data: its own id, never a neighbour's. Texts whose words are
    // the same after normalisation cannot be told apart; the first id in ordinal order is reported for both.
    [Fact]
    public void Classify_EverySpdxText_ItsOwnIdOrAnIdenticalOne()
    {
        var entries = SpdxCorpus.ReadEmbedded().Entries;
        var sameWords = entries
            .GroupBy(e => string.Join(' ', LicenceText.Words(e.Text)))
            .SelectMany(g => g.Select(e => (e.Id, Twins: g.Select(t => t.Id).ToHashSet())))
            .ToLookup(x => x.Id, x => x.Twins);
        var wrong = new List<string>();
        foreach (SpdxEntry entry in entries.Where(e => e.Kind is SpdxKind.Text or SpdxKind.Header))
        {
            LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(entry.Text));
            string found = match.Terms is [var only] ? only : match.Spdx;
            if (found != entry.Id && !sameWords[entry.Id].Any(twins => twins.Contains(found)))
            {
                wrong.Add($"{entry.Id} ({entry.Kind}): {match.Spdx}");
            }
        }

        Assert.Empty(wrong);
    }

    [Theory]
    [InlineData("This project is licensed under the MIT License, see website")]
    [InlineData("Licensed under the Apache License, Version 2.0. See https://www.apache.org/licenses/LICENSE-2.0")]
    [InlineData("All rights reserved. Proprietary and confidential.")]
    public void Classify_OnlyMentionsALicence_Unknown(string text)
    {
        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(text));

        Assert.Equal(LicenceDetector.Unknown, match.Spdx);
        Assert.InRange(match.Confidence, 0, 0.85);
    }

    [Fact]
    public void Classify_Empty_UnknownWithZeroConfidence() =>
        Assert.Equal(new LicenceMatch("unknown", "COPYING", 0), Detector.Classify("COPYING", []));

    // Two licences pasted into one file are both found, each where it is.
    [Fact]
    public void Classify_MitAndApacheInOneFile_Both()
    {
        string both = MitWithCopyright + "\n\n" + File.ReadAllText(Path.Combine(CommonLicenses, "Apache-2.0"));

        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(both));

        Assert.Equal("MIT AND Apache-2.0", match.Spdx);
        Assert.Equal(["MIT", "Apache-2.0"], match.Terms);
        Assert.Equal([("MIT", "text", 5), ("Apache-2.0", "text", 25)], match.Spans.Select(s => (s.Spdx, s.Kind, s.StartLine)));
        // Apache's title line, which the SPDX text leaves out, is all that is left.
        Assert.Equal((2, "apache license"), (match.UnexplainedWords, match.Unexplained));
    }

    // Nothing after "END OF TERMS AND CONDITIONS" is ignored: a licence appended after Apache's appendix counts.
    [Fact]
    public void Classify_ApacheThenGplInOneFile_Both()
    {
        string both = File.ReadAllText(Path.Combine(CommonLicenses, "Apache-2.0")) + "\n\n" + File.ReadAllText(Path.Combine(CommonLicenses, "GPL-3"));

        Assert.Equal("Apache-2.0 AND GPL-3.0-only", Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(both)).Spdx);
    }

    // Many projects ship Apache-2.0 without its how-to appendix.
    [Fact]
    public void Classify_ApacheTermsWithoutAppendix_Apache()
    {
        string apache = File.ReadAllText(Path.Combine(CommonLicenses, "Apache-2.0"));
        string terms = apache[..(apache.IndexOf("END OF TERMS AND CONDITIONS", StringComparison.Ordinal) + "END OF TERMS AND CONDITIONS".Length)];

        LicenceMatch match = Detector.Classify("LICENSE", Encoding.UTF8.GetBytes(terms));

        Assert.Equal("Apache-2.0", match.Spdx);
        Assert.InRange(match.Confidence, 0.98, 1.0);
    }

    [Fact]
    public void Classify_GplWithLaterVersionNotice_OrLater()
    {
        string text = GplNotice + File.ReadAllText(Path.Combine(CommonLicenses, "GPL-3"));

        LicenceMatch match = Detector.Classify("COPYING", Encoding.UTF8.GetBytes(text));

        Assert.Equal("GPL-3.0-or-later", match.Spdx);
        Assert.InRange(match.Confidence, 0.98, 1.0);
    }

    // The GPL's own how-to appendix shows the "any later version" notice as an example: not a grant.
    [Fact]
    public void Classify_GplTextAlone_Only() =>
        Assert.Equal("GPL-3.0-only", Detector.Classify("COPYING", File.ReadAllBytes(Path.Combine(CommonLicenses, "GPL-3"))).Spdx);

    [Fact]
    public void Classify_InvalidUtf8_StillClassified()
    {
        byte[] text = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(MitWithCopyright.Replace("Someone", "S\u00f8ren", StringComparison.Ordinal)), 0xFF, 0xFE];

        Assert.Equal("MIT", Detector.Classify("LICENSE", text).Spdx);
    }

    [Fact]
    public void Default_Twice_SameInstanceWithPinnedSource()
    {
        Assert.Same(LicenceDetector.Default, LicenceDetector.Default);
        Assert.StartsWith("spdx-license-list@", LicenceDetector.Default.Corpus.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_FromManyThreads_OneInstance()
    {
        LicenceDetector[] seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => LicenceDetector.Default)));

        Assert.All(seen, d => Assert.Same(seen[0], d));
    }

    private static readonly Lazy<List<SpdxEntry>> Embedded = new(() => SpdxCorpus.ReadEmbedded().Entries);

    // The full text when an id has two (LGPL-3.0-only).
    internal static string SpdxText(string id) =>
        Embedded.Value.Where(e => e.Id == id).MaxBy(e => e.Text.Length)?.Text
        ?? throw new InvalidOperationException($"{id} is not in the generated data");
}
