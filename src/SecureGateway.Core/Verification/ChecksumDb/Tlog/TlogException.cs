namespace SecureGateway.Verification.ChecksumDb;

/// <summary>
/// A transparency-log check failed or its inputs were inconsistent. The message is Go's error text where Go has one
/// (for example "invalid transparency proof", "downloaded inconsistent tile", "indexes not in tree").
/// </summary>
public sealed class TlogException : Exception
{
    public TlogException()
    {
    }

    public TlogException(string message)
        : base(message)
    {
    }

    public TlogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
