using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// Turns LiteDB's and the file system's exceptions into <see cref="StoreException"/>s at every public entry point, so
/// that callers never depend on LiteDB. Used as <c>catch (Exception e) when (StoreErrors.IsStorageFailure(e))</c>:
/// anything else (a wrong argument, a disposed store, an unreadable session, a caller's callback failing) passes
/// through unchanged.
/// </summary>
internal static class StoreErrors
{
    public static bool IsStorageFailure(Exception exception) =>
        exception is LiteException or IOException or UnauthorizedAccessException;

    /// <param name="exception">An exception for which <see cref="IsStorageFailure"/> is true.</param>
    /// <param name="what">What failed, as the start of a sentence: "Reading a session of bot 'pizza'".</param>
    public static StoreException Translate(Exception exception, string what)
    {
        exception = WithoutKey(exception);
        var message = $"{what} failed: {exception.Message}";
        return IsUnavailable(exception)
            ? new StoreUnavailableException(message, exception)
            : new StoreException(message, exception);
    }

    /// <summary>
    /// LiteDB's duplicate-key error without the key it quotes: a session's id holds the user's key, which is never
    /// logged in clear (a flush that took a stored user for new fails on it, and its failure is logged).
    /// </summary>
    private static Exception WithoutKey(Exception exception) =>
        exception is LiteException { ErrorCode: LiteException.INDEX_DUPLICATE_KEY } duplicate
        && duplicate.Message.IndexOf(". The duplicate value is", StringComparison.Ordinal) is var cut and > 0
            ? new LiteException(LiteException.INDEX_DUPLICATE_KEY, duplicate.Message[..cut] + " (value not shown).")
            : exception;

    /// <summary>
    /// The storage rather than the data: I/O, permissions, a lock held too long. Any other LiteDB error (a file that is
    /// not a LiteDB database, a key too long for an index, a corrupt page) is a plain <see cref="StoreException"/>.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        IOException or UnauthorizedAccessException => true,
        LiteException lite => lite.ErrorCode == LiteException.LOCK_TIMEOUT || lite.InnerException is IOException or UnauthorizedAccessException,
        _ => false,
    };
}
