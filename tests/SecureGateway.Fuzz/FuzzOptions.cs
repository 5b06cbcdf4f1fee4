using System.Globalization;

namespace SecureGateway.Fuzz;

/// <summary>The command's arguments.</summary>
internal sealed record FuzzOptions(double Seconds, IReadOnlySet<string> Targets, ulong? Seed, int? Size, bool List)
{
    /// <summary>How long one input may take before the run calls it a hang.</summary>
    public TimeSpan PerInputLimit { get; } = TimeSpan.FromSeconds(10);

    /// <returns>null when the arguments are not understood.</returns>
    public static FuzzOptions? Parse(string[] args)
    {
        var options = new FuzzOptions(10, new HashSet<string>(), null, null, false);
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--list":
                    options = options with { List = true };
                    continue;
                case "--seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0:
                    options = options with { Seconds = seconds };
                    break;
                case "--target" when value is not null:
                    options = options with { Targets = value.Split(',').ToHashSet() };
                    break;
                case "--seed" when ulong.TryParse(value, CultureInfo.InvariantCulture, out ulong seed):
                    options = options with { Seed = seed };
                    break;
                case "--size" when int.TryParse(value, CultureInfo.InvariantCulture, out int size) && size is > 0 and <= FuzzRunner.MaxSize:
                    options = options with { Size = size };
                    break;
                default:
                    return null;
            }
            i++;
        }
        bool unknownTarget = options.Targets.Except(FuzzTargets.All.Select(t => t.Name)).Any();
        bool sizeWithoutSeed = options.Size is not null && options.Seed is null;
        return unknownTarget || sizeWithoutSeed ? null : options;
    }
}
