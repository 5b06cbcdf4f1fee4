namespace SecureGateway.Data.Embedded;

/// <summary>
/// The embedded cluster could not be initialized, started or stopped. The message carries what the
/// failing command printed and, for a failed start, the tail of the server log.
/// </summary>
public sealed class EmbeddedPostgresException : Exception
{
    public EmbeddedPostgresException()
    {
    }

    public EmbeddedPostgresException(string message)
        : base(message)
    {
    }

    public EmbeddedPostgresException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
