namespace SecureGateway.Fuzz;

/// <summary>A property did not hold for an input (as opposed to the parser throwing where it must not).</summary>
public sealed class PropertyFailedException : Exception
{
    public PropertyFailedException()
    {
    }

    public PropertyFailedException(string message)
        : base(message)
    {
    }

    public PropertyFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws when <paramref name="holds"/> is false.</summary>
    public static void Require(bool holds, string message)
    {
        if (!holds)
        {
            throw new PropertyFailedException(message);
        }
    }
}
