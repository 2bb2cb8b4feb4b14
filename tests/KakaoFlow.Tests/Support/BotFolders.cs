namespace KakaoFlow.Tests.Support;

/// <summary>Bot folders (each with a <c>flow.yaml</c>) under a temporary root, deleted with it.</summary>
internal sealed class BotFolders(string prefix) : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Writes <paramref name="yaml"/> as the flow of the bot <paramref name="name"/>; returns its folder.</summary>
    public string Write(string name, string yaml)
    {
        var folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "flow.yaml"), yaml);
        return folder;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
