using KakaoFlow.Storage;
using LiteDB;

namespace KakaoFlow.Store;

/// <summary>
/// An explicit LiteDB transaction around synchronous work: committed when the work returns, rolled back when it throws.
/// LiteDB binds a transaction to the calling thread, so the work must not await.
/// </summary>
internal static class LiteDatabaseTransactions
{
    public static T InTransaction<T>(this LiteDatabase database, Func<T> work)
    {
        if (!database.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
        }

        try
        {
            var result = work();
            database.Commit();
            return result;
        }
        catch
        {
            database.Rollback();
            throw;
        }
    }

    public static void InTransaction(this LiteDatabase database, Action work) =>
        database.InTransaction(() =>
        {
            work();
            return true;
        });
}
