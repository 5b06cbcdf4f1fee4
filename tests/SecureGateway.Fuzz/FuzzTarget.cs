using FsCheck;
using FsCheck.Fluent;

namespace SecureGateway.Fuzz;

/// <summary>
/// One property over one parser: a generator of inputs and a check that throws <see cref="PropertyFailedException"/> (or any
/// exception the parser does not document) when the property does not hold for an input.
/// </summary>
public sealed class FuzzTarget
{
    private readonly Func<ulong, int, FuzzCase> generate;

    private FuzzTarget(string name, string property, long maxAllocatedBytes, Func<ulong, int, FuzzCase> generate)
    {
        Name = name;
        Property = property;
        MaxAllocatedBytes = maxAllocatedBytes;
        this.generate = generate;
    }

    public string Name { get; }

    /// <summary>What must hold for any input, as printed by the command.</summary>
    public string Property { get; }

    /// <summary>Most bytes one check may allocate: a parser that takes more on a small input is unbounded.</summary>
    public long MaxAllocatedBytes { get; }

    public static FuzzTarget Create<T>(string name, string property, Gen<T> inputs, Action<T> check, Func<T, string> describe, long maxAllocatedBytes = 64 << 20) =>
        new(name, property, maxAllocatedBytes, (seed, size) =>
        {
            // The same seed and size give the same input, so a failure is replayed from the two numbers alone.
            T input = inputs.Sample(1, new Rnd(seed), size)[0];
            return new FuzzCase(() => describe(input), () => check(input));
        });

    public FuzzCase Generate(ulong seed, int size) => generate(seed, size);
}

/// <summary>One generated input: how to check it, and how to print it when the check fails.</summary>
public sealed record FuzzCase(Func<string> Describe, Action Check);
