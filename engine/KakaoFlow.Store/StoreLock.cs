using KakaoFlow.Storage;

namespace KakaoFlow.Store;

/// <summary>
/// The lock file <c>{data file}.lock</c>, held open with <see cref="FileShare.None"/> while a store is open: a second store
/// on the same data file, in this process or another, fails to open it. LiteDB opens its files with
/// <see cref="FileShare.Read"/>, which .NET on Unix maps to a shared advisory lock (flock), so two writers pass; our
/// exclusive flock does not. The file stays when the store closes (removing it would let a store that is just opening it
/// lock a file nobody else sees); it is empty.
/// </summary>
/// <remarks>
/// An advisory lock binds only those who take it: every store of this version does. Setting
/// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> turns .NET's file locking off and this guard with it.
/// </remarks>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    public static string PathOf(string dataFile) => dataFile + ".lock";

    /// <exception cref="StoreUnavailableException">Another store holds the lock, or the lock file cannot be made.</exception>
    public static StoreLock Take(string dataFile)
    {
        var path = PathOf(dataFile);
        try
        {
            var file = new FileStream(path, StoreFiles.NewFile(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0));
            StoreFiles.Narrow(path);
            return new StoreLock(file);
        }
        catch (IOException e) when (e is not (DirectoryNotFoundException or PathTooLongException) && File.Exists(path))
        {
            throw new StoreUnavailableException(
                $"The data file '{dataFile}' is in use by another kakaoflow store (it holds '{path}'): run one `kakaoflow serve` per data file, or stop the other one first ({e.Message})",
                e);
        }
        catch (Exception e) when (StoreErrors.IsStorageFailure(e))
        {
            throw StoreErrors.Translate(e, $"Taking the lock file '{path}'");
        }
    }

    public void Dispose() => _file.Dispose();
}
