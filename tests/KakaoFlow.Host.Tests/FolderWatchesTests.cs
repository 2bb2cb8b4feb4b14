using System.Collections.Concurrent;
using System.Text;
using KakaoFlow.Hosting;

namespace KakaoFlow.Host.Tests;

/// <summary>Hot reload watches only the folders on the way to the files a bot reads, and counts only their names.</summary>
public sealed class FolderWatchesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kakaoflow-watches-").FullName;
    private readonly ConcurrentQueue<string> _dirty = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Flows => Path.Combine(_root, "flows");

    private string Bot => Path.Combine(Flows, "hello");

    private FolderWatches Start()
    {
        Directory.CreateDirectory(Path.Combine(Bot, "lib"));
        Directory.CreateDirectory(Path.Combine(Bot, "node_modules", "pkg"));
        Directory.CreateDirectory(Path.Combine(_root, "elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(Bot, "tree"), Path.Combine(_root, "elsewhere"));
        File.WriteAllText(Path.Combine(Bot, "flow.yaml"), "name: x", Encoding.UTF8);
        File.WriteAllText(Path.Combine(Bot, "lib", "greet.js"), "1", Encoding.UTF8);

        var watches = new FolderWatches(Flows, _dirty.Enqueue, (_, _) => _dirty.Enqueue("*lost*"), (_, _) => _dirty.Enqueue("*cannot*"));
        Assert.True(watches.TryStart());
        watches.Update(new Dictionary<string, IReadOnlyList<string>>
        {
            ["hello"] = [Path.Combine(Bot, "flow.yaml"), Path.Combine(Bot, "lib", "greet.js")],
        });
        return watches;
    }

    /// <summary>Makes a change and returns what was marked dirty within <paramref name="milliseconds"/>.</summary>
    private async Task<string[]> AfterAsync(Action change, int milliseconds = 600)
    {
        _dirty.Clear();
        change();
        await Task.Delay(milliseconds);
        return [.. _dirty.Distinct()];
    }

    [Fact]
    public async Task Only_the_folders_on_the_way_to_named_files_are_watched_and_only_their_names_count()
    {
        using var watches = Start();
        Assert.Equal([Bot, Path.Combine(Bot, "lib")], watches.Folders.Order(StringComparer.Ordinal));

        Assert.Empty(await AfterAsync(() => File.WriteAllText(Path.Combine(Bot, "node_modules", "pkg", "index.js"), "x")));
        Assert.Empty(await AfterAsync(() => File.WriteAllText(Path.Combine(_root, "elsewhere", "big.js"), "x")));
        Assert.Empty(await AfterAsync(() => File.WriteAllText(Path.Combine(Bot, "lib", "other.js"), "x")));
        Assert.Empty(await AfterAsync(() => File.WriteAllText(Path.Combine(Bot, "notes.txt"), "x")));

        Assert.Equal(["hello"], await AfterAsync(() => File.WriteAllText(Path.Combine(Bot, "lib", "greet.js"), "2")));
        Assert.Equal(["hello"], await AfterAsync(() => File.WriteAllText(Path.Combine(Bot, "flow.yaml"), "name: y")));
    }

    [Fact]
    public async Task A_script_folder_deleted_and_made_again_is_watched_again()
    {
        using var watches = Start();
        Assert.Equal(["hello"], await AfterAsync(() => Directory.Delete(Path.Combine(Bot, "lib"), recursive: true)));

        Directory.CreateDirectory(Path.Combine(Bot, "lib"));
        File.WriteAllText(Path.Combine(Bot, "lib", "greet.js"), "3", Encoding.UTF8);
        watches.Update(new Dictionary<string, IReadOnlyList<string>>
        {
            ["hello"] = [Path.Combine(Bot, "flow.yaml"), Path.Combine(Bot, "lib", "greet.js")],
        });

        Assert.Equal(["hello"], await AfterAsync(() => File.WriteAllText(Path.Combine(Bot, "lib", "greet.js"), "4")));
    }
}
