using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace SecureGateway.Fuzz.Targets;

/// <summary>
/// Generators of module paths and versions that are valid or nearly so, and of the small edits (a hazardous token,
/// a deletion, an upper-case letter, a long run) that make them just invalid in the ways Go's rules name.
/// </summary>
internal static class NearValid
{
    private static readonly string[] Hazards =
    [
        "!", "!!", "!A", "..", ".", "/", "//", "%", "%2", "%21", "%2F", "%2e%2e", "%00", "%ff", "%c3%a9", "%ED%A0%80",
        "\0", "\n", " ", "\\", "é", "\u00A0", "\u212A", "\uD800", "\uDC00", "😀", "~1", "CON", "con.txt", "LPT9",
        "@v", "@latest", "/@v/", "/@latest", "+incompatible", "+", "-", "_", "A", "Z", "v0", "v1", "/v1", "/v2",
        "/v02", ".v2", "-unstable", "gopkg.in/", ".info", ".zip", "list",
    ];

    private static readonly Gen<string> Label =
        from length in Gen.Choose(1, 6)
        from chars in Gen.ArrayOf(Gen.Elements("abcxyz019-".ToCharArray()), length)
        select new string(chars);

    private static readonly Gen<string> Domain = Gen.Frequency(
        (4, from count in Gen.Choose(1, 3)
            from labels in Gen.ArrayOf(Label, count)
            from tld in Gen.Elements("com", "org", "io", "example")
            select string.Join('.', labels.Append(tld))),
        (1, Gen.Elements("github.com", "golang.org", "gopkg.in", "example", "Example.com", "-x.com", ".com")));

    private static readonly Gen<string> Element = Gen.Frequency(
        (8, from length in Gen.Choose(1, 8)
            from chars in Gen.ArrayOf(Gen.Elements("abcdmxyzABMZ0129-._~".ToCharArray()), length)
            select new string(chars)),
        (1, Gen.Elements("con", "Aux", "com1.txt", "nul.go", "x~1", "x~1a", "v2", "v1", "..", ".", "a.", ".a", "-a")));

    private static readonly Gen<string> MajorSuffix = Gen.Frequency(
        (6, Gen.Constant("")),
        (2, Gen.Elements("/v2", "/v3", "/v10", ".v1", ".v0", ".v2-unstable")),
        (1, Gen.Elements("/v1", "/v0", "/v02", "/v2.0", "/v", ".v01", ".v0-unstable", ".v-unstable", ".v")));

    /// <summary>Domain, up to three elements and perhaps a major-version suffix: valid most of the time.</summary>
    public static readonly Gen<string> ModulePath =
        from domain in Domain
        from count in Gen.Choose(0, 3)
        from elements in Gen.ArrayOf(Element, count)
        from suffix in MajorSuffix
        select string.Join('/', elements.Prepend(domain)) + suffix;

    private static readonly Gen<string> Number = Gen.Frequency(
        (6, Gen.Choose(0, 12).Select(n => n.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Elements("00", "01", "2147483648", "18446744073709551616")));

    private static readonly Gen<string> Identifier = Gen.Frequency(
        (4, from length in Gen.Choose(1, 5)
            from chars in Gen.ArrayOf(Gen.Elements("0129abzAZ-".ToCharArray()), length)
            select new string(chars)),
        (1, Gen.Elements("", "0", "00", "01", "incompatible", "é")));

    private static readonly Gen<string> Identifiers =
        from count in Gen.Choose(1, 3)
        from parts in Gen.ArrayOf(Identifier, count)
        select string.Join('.', parts);

    /// <summary>Semantic versions, their shorthands, pseudo-versions and +incompatible builds.</summary>
    public static readonly Gen<string> Version = Gen.Frequency(
        (6, from major in Number
            from minor in Number
            from patch in Number
            from pre in Gen.Frequency((3, Gen.Constant("")), (1, Identifiers.Select(p => "-" + p)))
            from build in Gen.Frequency((4, Gen.Constant("")), (1, Gen.Constant("+incompatible")), (1, Identifiers.Select(b => "+" + b)))
            select $"v{major}.{minor}.{patch}{pre}{build}"),
        (1, from major in Number from minor in Number select $"v{major}.{minor}"),
        (1, Number.Select(major => $"v{major}")),
        (1, Gen.Elements("v0.0.0-20240102030405-abcdef123456", "v1.2.4-0.20240102030405-abcdef123456", "v1.2.3-pre.0.20240102030405-abcdef123456+incompatible", "latest", "master", "")));

    /// <summary>The text as generated, or with one to three hazardous edits.</summary>
    public static Gen<(string Text, bool Edited)> Mutated(Gen<string> valid) =>
        from text in valid
        from count in Gen.Frequency((2, Gen.Constant(0)), (5, Gen.Choose(1, 3)))
        from edits in Gen.ArrayOf(Edit, count)
        select (edits.Aggregate(text, (s, edit) => edit(s)), count > 0);

    private static readonly Gen<Func<string, string>> Edit =
        from kind in Gen.Choose(0, 4)
        from at in Gen.Choose(0, 1 << 20)
        from hazard in Gen.Elements(Hazards)
        from repeat in Gen.Choose(2, 1100)
        select (Func<string, string>)(s => ApplyEdit(s, kind, at, hazard, repeat));

    private static string ApplyEdit(string s, int kind, int at, string hazard, int repeat)
    {
        int position = at % (s.Length + 1);
        return kind switch
        {
            0 => s.Insert(position, hazard),
            1 when position < s.Length => s.Remove(position, Math.Min(1 + (at >> 8) % 4, s.Length - position)),
            2 when position < s.Length => s[..position] + char.ToUpperInvariant(s[position]) + s[(position + 1)..],
            3 when position < s.Length => s[..position] + hazard + s[(position + 1)..],
            4 => s.Insert(position, string.Concat(Enumerable.Repeat(s.Length > 0 && position < s.Length ? s[position].ToString() : "a", repeat))),
            _ => s + hazard,
        };
    }
}
