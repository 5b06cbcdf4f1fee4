using System.Text.Json;
using SecureGateway.Policy.Licences;
using Xunit.Abstractions;

namespace SecureGateway.Core.Tests.Policy.Licences;

/// <summary>
/// The detector on real licence files of real Go projects (Corpus/, each case's source repository and commit in
/// corpus.json, the expected licences established by reading the files and the projects' own statements).
/// </summary>
public sealed class LicenceCorpusTests(ITestOutputHelper output)
{
    private static readonly Lazy<List<CorpusFile>> Classified = new(ClassifyAll);

    // The classes of real-world failure the whole-file detector had.
    [Theory]
    [InlineData("gnu-lgpl-pair")]
    [InlineData("lgpl-linking-exception")]
    [InlineData("apache-notice")]
    [InlineData("preamble")]
    [InlineData("two-copies")]
    [InlineData("two-licences-one-file")]
    [InlineData("pair-files")]
    [InlineData("reuse")]
    public void Corpus_FailureClass_EveryFileAndModuleRight(string caseClass)
    {
        var cases = Classified.Value.Where(f => f.Case.Class == caseClass).GroupBy(f => f.Case).ToList();

        Assert.NotEmpty(cases);
        Assert.All(cases.SelectMany(c => c), file => Assert.Equal(Verdict.Right, file.Verdict));
        Assert.All(cases, c => Assert.Equal(Terms(c.Key.Module).Where(t => t != LicenceDetector.Unknown).Order(), ModuleTerms(c).Order()));
    }

    [Fact]
    public void Corpus_EveryFile_NoneWrong()
    {
        var wrong = Classified.Value.Where(f => f.Verdict == Verdict.Wrong).Select(f => $"{f.Case.Name}/{f.Path}: expected {f.Expected}, found {f.Found.Spdx}");

        Assert.Empty(wrong);
    }

    [Fact]
    public void Corpus_Files_AtLeast95PercentRight()
    {
        List<CorpusFile> files = Classified.Value;
        Report(files);

        Assert.True(files.Count(f => f.Verdict == Verdict.Right) >= 0.95 * files.Count, string.Join("\n", files.Where(f => f.Verdict != Verdict.Right).Select(f => $"{f.Case.Name}/{f.Path}: {f.Found.Spdx} ({f.Found.Confidence})")));
    }

    [Fact]
    public void Corpus_Modules_ExpressionAsExpectedWhereEveryFileIsKnown()
    {
        var modules = Classified.Value.GroupBy(f => f.Case).Where(c => c.All(f => f.Found.Spdx != LicenceDetector.Unknown));

        Assert.All(modules, c => Assert.Equal(Terms(c.Key.Module).Order(), ModuleTerms(c).Order()));
    }

    private void Report(List<CorpusFile> files)
    {
        output.WriteLine($"{files.Count} files: {files.Count(f => f.Verdict == Verdict.Right)} right, {files.Count(f => f.Verdict == Verdict.Unknown)} unknown, {files.Count(f => f.Verdict == Verdict.Wrong)} wrong");
        foreach (var licence in files.GroupBy(f => f.Expected).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{licence.Key}: {licence.Count(f => f.Verdict == Verdict.Right)} right, {licence.Count(f => f.Verdict == Verdict.Unknown)} unknown, {licence.Count(f => f.Verdict == Verdict.Wrong)} wrong");
        }
    }

    private static IEnumerable<string> ModuleTerms(IEnumerable<CorpusFile> files) =>
        LicenceDetector.ModuleExpression([.. files.Select(f => (f.Path, f.Found.Terms))]).Terms;

    private static string[] Terms(string expression) => expression.Split(" AND ", StringSplitOptions.TrimEntries);

    private static List<CorpusFile> ClassifyAll()
    {
        string corpus = Path.Combine(SpdxDataTests.RepositoryRoot, "tests", "SecureGateway.Core.Tests", "Policy", "Licences", "Corpus");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(corpus, "corpus.json")));
        var files = new List<CorpusFile>();
        foreach (JsonElement entry in manifest.RootElement.GetProperty("cases").EnumerateArray())
        {
            var corpusCase = new CorpusCase(entry.GetProperty("name").GetString()!, entry.GetProperty("class").GetString()!, entry.GetProperty("module").GetString()!);
            foreach (JsonProperty file in entry.GetProperty("files").EnumerateObject())
            {
                LicenceMatch found = LicenceDetector.Default.Classify(file.Name, File.ReadAllBytes(Path.Combine(corpus, corpusCase.Name, file.Name)));
                files.Add(new CorpusFile(corpusCase, file.Name, file.Value.GetString()!, found));
            }
        }
        return files;
    }

    private sealed record CorpusCase(string Name, string Class, string Module);

    private sealed record CorpusFile(CorpusCase Case, string Path, string Expected, LicenceMatch Found)
    {
        public Verdict Verdict =>
            Found.Spdx == LicenceDetector.Unknown ? (Expected == LicenceDetector.Unknown ? Verdict.Right : Verdict.Unknown)
            : Terms(Expected).Order().SequenceEqual(Found.Terms.Order()) ? Verdict.Right
            : Verdict.Wrong;
    }

    private enum Verdict
    {
        Right,
        Unknown,
        Wrong,
    }
}
