using System.Collections.Frozen;
using System.Text;

namespace SecureGateway.Verification.ZipRules;

/// <summary>
/// Go's strToFold (golang.org/x/mod/zip): maps a string so that two names collide exactly when Go's module zip
/// rules say they differ only in case. Each rune becomes the first rune its unicode.SimpleFold cycle wraps to,
/// then A-Z become a-z.
/// </summary>
internal static class GoCaseFold
{
    // Case-folding orbits with more than two members, or where simple upper/lower mappings are not the fold
    // (unicode.caseOrbit). SimpleFold moves to the next member, wrapping. İ and ı fold only to themselves.
    private static readonly int[][] Orbits =
    [
        [0x004B, 0x006B, 0x212A], // K k KELVIN SIGN
        [0x0053, 0x0073, 0x017F], // S s LONG S
        [0x00B5, 0x039C, 0x03BC], // MICRO SIGN, capital and small mu
        [0x00C5, 0x00E5, 0x212B], // A and a with ring, ANGSTROM SIGN
        [0x00DF, 0x1E9E], // sharp s, capital sharp s
        [0x0130],
        [0x0131],
        [0x01C4, 0x01C5, 0x01C6], // DŽ Dž dž
        [0x01C7, 0x01C8, 0x01C9], // LJ Lj lj
        [0x01CA, 0x01CB, 0x01CC], // NJ Nj nj
        [0x01F1, 0x01F2, 0x01F3], // DZ Dz dz
        [0x0345, 0x0399, 0x03B9, 0x1FBE], // ypogegrammeni, iota
        [0x0392, 0x03B2, 0x03D0], // beta
        [0x0395, 0x03B5, 0x03F5], // epsilon
        [0x0398, 0x03B8, 0x03D1, 0x03F4], // theta
        [0x039A, 0x03BA, 0x03F0], // kappa
        [0x03A0, 0x03C0, 0x03D6], // pi
        [0x03A1, 0x03C1, 0x03F1], // rho
        [0x03A3, 0x03C2, 0x03C3], // sigma, final sigma
        [0x03A6, 0x03C6, 0x03D5], // phi
        [0x03A9, 0x03C9, 0x2126], // omega, OHM SIGN
        [0x0412, 0x0432, 0x1C80], // Cyrillic ve, rounded ve
        [0x0414, 0x0434, 0x1C81], // de, long-legged de
        [0x041E, 0x043E, 0x1C82], // o, narrow o
        [0x0421, 0x0441, 0x1C83], // es, wide es
        [0x0422, 0x0442, 0x1C84, 0x1C85], // te, tall te, three-legged te
        [0x042A, 0x044A, 0x1C86], // hard sign, tall hard sign
        [0x0462, 0x0463, 0x1C87], // yat, tall yat
        [0x1C88, 0xA64A, 0xA64B], // unblended uk, monograph uk
        [0x1E60, 0x1E61, 0x1E9B], // S and s with dot above, long s with dot above
    ];

    private static readonly FrozenDictionary<int, int> NextInOrbit = Orbits
        .SelectMany(orbit => orbit.Select((rune, i) => KeyValuePair.Create(rune, orbit[(i + 1) % orbit.Length])))
        .ToFrozenDictionary();

    public static string Fold(string s)
    {
        // Most paths are lower-case ASCII already.
        if (!s.AsSpan().ContainsAnyExceptInRange('\0', '\u007F') && !s.AsSpan().ContainsAnyInRange('A', 'Z'))
        {
            return s;
        }
        var sb = new StringBuilder(s.Length);
        foreach (Rune rune in s.EnumerateRunes())
        {
            sb.Append(char.ConvertFromUtf32(FoldRune(rune.Value)));
        }
        return sb.ToString();
    }

    private static int FoldRune(int r)
    {
        int previous;
        do
        {
            previous = r;
            r = SimpleFold(previous);
        }
        while (r > previous);
        return r is >= 'A' and <= 'Z' ? r + ('a' - 'A') : r;
    }

    // unicode.SimpleFold: the next rune of the orbit; otherwise the lower case if different, else the upper case.
    private static int SimpleFold(int r)
    {
        if (NextInOrbit.TryGetValue(r, out int next))
        {
            return next;
        }
        var rune = new Rune(r);
        int lower = Rune.ToLowerInvariant(rune).Value;
        return lower != r ? lower : Rune.ToUpperInvariant(rune).Value;
    }
}
