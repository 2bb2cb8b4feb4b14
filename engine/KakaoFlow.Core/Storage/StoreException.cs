namespace KakaoFlow.Storage;

/// <summary>
/// A store could not do what was asked. Every store throws this (never its engine's own exception types), with the
/// engine's exception as <see cref="Exception.InnerException"/>, so callers handle storage failures without knowing
/// which store is in use. Not thrown for wrong arguments, for a store already disposed
/// (<see cref="ObjectDisposedException"/>) or for a stored session this version cannot read
/// (<see cref="InvalidDataException"/>).
/// </summary>
public class StoreException : Exception
{
    public StoreException()
    {
    }

    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The storage itself failed: an I/O error, a full disk, missing permissions, a file locked by another process, a lock
/// that timed out. The same call may succeed later; the data already stored is not known to be damaged.
/// </summary>
public sealed class StoreUnavailableException : StoreException
{
    public StoreUnavailableException()
    {
    }

    public StoreUnavailableException(string message)
        : base(message)
    {
    }

    public StoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
