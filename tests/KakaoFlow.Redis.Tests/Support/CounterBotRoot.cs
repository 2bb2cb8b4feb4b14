using System.Text;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Redis.Tests.Support;

/// <summary>A fresh temp folder holding <c>flows/counter</c> (<see cref="Flows.Counter"/>) for real serve processes, deleted when the test ends.</summary>
public abstract class CounterBotRoot : IDisposable
{
    protected CounterBotRoot()
    {
        Directory.CreateDirectory(Path.Combine(Root, "flows", "counter"));
        File.WriteAllText(Path.Combine(Root, "flows", "counter", "flow.yaml"), Flows.Counter, Encoding.UTF8);
    }

    protected string Root { get; } = Path.Combine(Path.GetTempPath(), "kakaoflow-redis-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process a failed test left: the temp folder is not ours to worry about.
        }
    }
}
