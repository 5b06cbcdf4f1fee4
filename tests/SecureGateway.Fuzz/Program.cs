using System.Globalization;
using SecureGateway.Fuzz;

// dotnet run --project tests/SecureGateway.Fuzz -c Release -- [--seconds N] [--target a,b] [--seed S [--size Z]] [--list]
var options = FuzzOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: [--seconds N (per target, default 10)] [--target name,name] [--seed S [--size Z]] [--list]");
    return 2;
}
if (options.List)
{
    foreach (FuzzTarget target in FuzzTargets.All)
    {
        Console.WriteLine($"{target.Name,-10} {target.Property}");
    }
    return 0;
}

ulong firstSeed = options.Seed ?? (ulong)Random.Shared.NextInt64();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {firstSeed}, {options.Seconds} s per target"));
bool failed = false;
foreach (FuzzTarget target in FuzzTargets.All.Where(t => options.Targets.Count == 0 || options.Targets.Contains(t.Name)))
{
    long maxRuns = options.Size is null ? long.MaxValue : 1;
    FuzzOutcome outcome = FuzzRunner.Run(target, firstSeed, maxRuns, TimeSpan.FromSeconds(options.Seconds), options.PerInputLimit, options.Size);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target.Name,-10} {outcome.Runs,10} runs in {outcome.Elapsed.TotalSeconds,6:F1} s  {(outcome.Failure is null ? "ok" : "FAILED")}"));
    if (outcome.Failure is { } failure)
    {
        failed = true;
        Console.WriteLine($"  property: {target.Property}");
        Console.WriteLine($"  problem:  {failure.Problem}");
        Console.WriteLine($"  input:    {failure.Input}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  replay:   dotnet run --project tests/SecureGateway.Fuzz -c Release -- --target {target.Name} --seed {failure.Seed} --size {failure.Size}"));
    }
}
// A hung check's thread is a background thread: it does not keep the process alive.
return failed ? 1 : 0;
