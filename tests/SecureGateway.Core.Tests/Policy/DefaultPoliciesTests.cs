using SecureGateway.Policy;
using SecureGateway.Policy.Licences;

namespace SecureGateway.Core.Tests.Policy;

/// <summary>The shipped policies/ folder, through <see cref="PolicyBundle.Evaluate"/>.</summary>
public sealed class DefaultPoliciesTests
{
    private static readonly PolicyBundle Bundle = PolicyBundle.Load(PolicyFolder.Shipped);

    private static RuleResult Rule(PolicyDecision decision, string name) => decision.Rules.Single(r => r.Rule == name);

    private static ModuleFacts WithLicences(params DetectedLicence[] licences)
    {
        var files = licences.Select(l => l with { Terms = l.Spdx == "unknown" ? [] : [.. l.Spdx.Split(" AND ")] }).ToList();
        var (expression, terms) = LicenceDetector.ModuleExpression([.. files.Select(f => (f.File, f.Terms))]);
        return Facts.Typical() with { Licences = files, LicenceExpression = expression, LicenceTerms = terms };
    }

    [Fact]
    public void Evaluate_TypicalModule_IsAdmitted()
    {
        var decision = Bundle.Evaluate(Facts.Typical());

        Assert.Equal(PolicyVerdict.Admit, decision.Verdict);
        Assert.Equal(Bundle.Revision, decision.Revision);
        Assert.Equal(["age", "denylist", "licence", "malicious", "repository", "vulnerabilities"], decision.Rules.Select(r => r.Rule));
        Assert.Equal(new RuleResult("licence", PolicyVerdict.Admit, "licence MIT (LICENSE)"), Rule(decision, "licence"));
        Assert.Equal(new RuleResult("age", PolicyVerdict.Admit, "published 400.0 days ago (module index)"), Rule(decision, "age"));
        Assert.Equal(PolicyVerdict.None, Rule(decision, "denylist").Verdict);
        Assert.Equal(PolicyVerdict.None, Rule(decision, "vulnerabilities").Verdict);
        Assert.Equal(PolicyVerdict.None, Rule(decision, "repository").Verdict);
        Assert.Equal(["age: published 400.0 days ago (module index)", "licence: licence MIT (LICENSE)"], decision.Reasons);
    }

    [Theory]
    [InlineData("MIT")]
    [InlineData("Apache-2.0")]
    [InlineData("BSD-2-Clause")]
    [InlineData("BSD-3-Clause")]
    [InlineData("ISC")]
    [InlineData("0BSD")]
    [InlineData("Zlib")]
    [InlineData("Unlicense")]
    [InlineData("CC0-1.0")]
    [InlineData("MPL-2.0")]
    public void Licence_Permissive_IsAdmitted(string spdx)
    {
        var decision = Bundle.Evaluate(WithLicences(new DetectedLicence(spdx, "LICENSE", 0.98)));

        Assert.Equal(PolicyVerdict.Admit, Rule(decision, "licence").Verdict);
        Assert.Equal(PolicyVerdict.Admit, decision.Verdict);
    }

    [Theory]
    [InlineData("GPL-2.0-only")]
    [InlineData("GPL-2.0-or-later")]
    [InlineData("GPL-3.0-only")]
    [InlineData("GPL-3.0-or-later")]
    [InlineData("AGPL-3.0-only")]
    [InlineData("AGPL-3.0-or-later")]
    [InlineData("SSPL-1.0")]
    [InlineData("EUPL-1.2")]
    public void Licence_StrongCopyleft_IsDeniedNamingTheLicence(string spdx)
    {
        var decision = Bundle.Evaluate(WithLicences(new DetectedLicence(spdx, "LICENSE", 0.97)));

        Assert.Equal(PolicyVerdict.Deny, decision.Verdict);
        Assert.Equal([$"licence: licence {spdx} (LICENSE) is not allowed"], decision.Reasons);
    }

    [Fact]
    public void Licence_None_IsQuarantined()
    {
        var decision = Bundle.Evaluate(WithLicences());

        Assert.Equal(PolicyVerdict.Quarantine, decision.Verdict);
        Assert.Equal(["licence: no licence file found"], decision.Reasons);
    }

    [Fact]
    public void Licence_Unrecognised_IsQuarantined()
    {
        var decision = Bundle.Evaluate(WithLicences(new DetectedLicence("unknown", "COPYING", 0.4)));

        Assert.Equal(["licence: unrecognised licence in COPYING"], decision.Reasons);
    }

    [Fact]
    public void Licence_DeniedAmongSeveral_Denies()
    {
        var decision = Bundle.Evaluate(WithLicences(
            new DetectedLicence("MIT", "LICENSE", 0.99),
            new DetectedLicence("unknown", "docs/LICENSE", 0.3),
            new DetectedLicence("GPL-3.0-only", "cmd/tool/COPYING", 0.96)));

        Assert.Equal(["licence: licence GPL-3.0-only (cmd/tool/COPYING) is not allowed"], decision.Reasons);
    }

    [Fact]
    public void Licence_UnknownAmongPermissive_Quarantines()
    {
        var decision = Bundle.Evaluate(WithLicences(new DetectedLicence("MIT", "LICENSE", 0.99), new DetectedLicence("unknown", "COPYING", 0.3)));

        Assert.Equal(PolicyVerdict.Quarantine, decision.Verdict);
        Assert.Equal(["licence: unrecognised licence in COPYING"], decision.Reasons);
    }

    [Theory]
    [InlineData(null, null, "published 2.1 days ago (first seen by this gateway) — younger than 7 days")]
    [InlineData(2.1, null, "published 2.1 days ago (.info Time, publisher-controlled) — younger than 7 days")]
    [InlineData(400.0, 2.1, "published 2.1 days ago (module index) — younger than 7 days")]
    public void Age_Young_IsQuarantinedNamingTheSource(double? infoDaysAgo, double? publishedDaysAgo, string expected)
    {
        // First seen is always 2.1 days ago.
        var now = Facts.Now;
        var info = infoDaysAgo is { } i ? now.AddDays(-i) : (DateTimeOffset?)null;
        var published = publishedDaysAgo is { } p ? now.AddDays(-p) : (DateTimeOffset?)null;
        var facts = Facts.Typical() with { Times = ModuleFacts.Age(now, now.AddDays(-2.1), info, published) };

        var decision = Bundle.Evaluate(facts);

        Assert.Equal(PolicyVerdict.Quarantine, decision.Verdict);
        Assert.Equal(["age: " + expected], decision.Reasons);
    }

    [Fact]
    public void Age_PublishedLongAgoButBackdatedInfo_UsesTheIndex()
    {
        // A publisher backdating the commit time cannot make a fresh version look old when the index knows it.
        var now = Facts.Now;
        var facts = Facts.Typical() with { Times = ModuleFacts.Age(now, now.AddHours(-1), now.AddDays(-900), now.AddDays(-1)) };

        var decision = Bundle.Evaluate(facts);

        Assert.Equal(PolicyVerdict.Quarantine, decision.Verdict);
        Assert.Contains("(module index)", Assert.Single(decision.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void Age_OldEnough_IsAdmitted()
    {
        var now = Facts.Now;
        var facts = Facts.Typical() with { Times = ModuleFacts.Age(now, now.AddDays(-1), now.AddDays(-8), null) };

        Assert.Equal(PolicyVerdict.Admit, Rule(Bundle.Evaluate(facts), "age").Verdict);
    }

    [Fact]
    public void Denylist_Match_IsDeniedNamingTheLine()
    {
        var denylist = Denylist.Parse("# bad actors\n\ngithub.com/evil/*\n");
        var facts = Facts.Typical() with
        {
            Module = ModuleFacts.Identify("github.com/evil/pkg", "v1.0.0"),
            Denylist = denylist.Match("github.com/evil/pkg", "v1.0.0"),
        };

        var decision = Bundle.Evaluate(facts);

        Assert.Equal(PolicyVerdict.Deny, decision.Verdict);
        Assert.Equal(["denylist: denylisted by line 3: github.com/evil/*"], decision.Reasons);
    }

    [Fact]
    public void Vulnerabilities_Known_AreDeniedWithFixedVersions()
    {
        var facts = Facts.Typical() with
        {
            Vulnerabilities =
            [
                new KnownVulnerability("GO-2024-1234", ["CVE-2024-45337"], "Misuse of ServerConfig.PublicKeyCallback", "v0.31.0"),
                new KnownVulnerability("GO-2023-0001", [], "Unfixed", null),
            ],
        };

        var decision = Bundle.Evaluate(facts);

        Assert.Equal(PolicyVerdict.Deny, decision.Verdict);
        Assert.Equal(["vulnerabilities: known vulnerabilities GO-2024-1234 (fixed in v0.31.0), GO-2023-0001 (no fixed version)"], decision.Reasons);
    }

    [Fact]
    public void Repository_Archived_IsQuarantined()
    {
        var facts = Facts.Typical() with { Repository = Facts.Typical().Repository! with { Archived = true } };

        var decision = Bundle.Evaluate(facts);

        Assert.Equal(PolicyVerdict.Quarantine, decision.Verdict);
        Assert.Equal(["repository: GitHub repository example/module is archived"], decision.Reasons);
    }

    [Fact]
    public void Repository_Unavailable_HasNoOpinion()
    {
        var facts = Facts.Typical() with
        {
            Repository = new RepositoryInfo { Owner = "example", Name = "module", Available = false, Error = "API rate limit exceeded" },
        };

        Assert.Equal(PolicyVerdict.None, Rule(Bundle.Evaluate(facts), "repository").Verdict);
    }

    [Fact]
    public void Repository_NotOnGitHub_HasNoOpinion()
    {
        var facts = Facts.Typical() with { Repository = null, Module = ModuleFacts.Identify("golang.org/x/text", "v0.14.0") };

        Assert.Equal(PolicyVerdict.None, Rule(Bundle.Evaluate(facts), "repository").Verdict);
    }

    [Fact]
    public void Evaluate_DenyAndQuarantine_DenyWinsWithOnlyDenyReasons()
    {
        var facts = WithLicences(new DetectedLicence("AGPL-3.0-only", "LICENSE", 0.99)) with
        {
            Repository = Facts.Typical().Repository! with { Archived = true },
            Times = ModuleFacts.Age(Facts.Now, Facts.Now, null, null),
        };

        var decision = Bundle.Evaluate(facts);

        Assert.Equal(PolicyVerdict.Deny, decision.Verdict);
        Assert.Equal(["licence: licence AGPL-3.0-only (LICENSE) is not allowed"], decision.Reasons);
        Assert.Equal(PolicyVerdict.Quarantine, Rule(decision, "age").Verdict);
        Assert.Equal(PolicyVerdict.Quarantine, Rule(decision, "repository").Verdict);
    }
}
