using System.Diagnostics;

namespace KakaoFlow.Testing;

/// <summary>
/// A tmpfs of a few megabytes mounted for one test: <see cref="Fill"/> makes it full (every write that needs a new page
/// fails with ENOSPC, as on a full disk), <see cref="Free"/> gives the space back. Needs Linux and root (CI has both);
/// where the mount fails the test fails and says why — it never passes without having run.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private readonly string _filler;

    private SmallDisk(string folder)
    {
        Folder = folder;
        _filler = System.IO.Path.Combine(folder, "filler");
    }

    public string Folder { get; }

    /// <summary>A path on the small disk.</summary>
    public string Path(string name) => System.IO.Path.Combine(Folder, name);

    public static SmallDisk Mount(int megabytes = 3)
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kakaoflow-small-disk", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var (exit, output) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", folder);
        if (exit != 0)
        {
            Directory.Delete(folder);
            throw new InvalidOperationException(
                $"THIS TEST DID NOT RUN: it needs a {megabytes} MB tmpfs to make the disk full, and 'mount -t tmpfs' failed " +
                $"(exit {exit}: {output.Trim()}). Run the store tests as root on Linux, as CI does.");
        }

        return new SmallDisk(folder);
    }

    /// <summary>Writes a filler file until the file system has no byte left.</summary>
    public void Fill()
    {
        using var filler = new FileStream(_filler, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        for (var chunk = 64 * 1024; chunk >= 1; chunk /= 2)
        {
            var bytes = new byte[chunk];
            try
            {
                while (true)
                {
                    filler.Write(bytes);
                }
            }
            catch (IOException)
            {
                // Full for this chunk size: go on with smaller ones until not even a byte fits.
            }
        }
    }

    public void Free() => File.Delete(_filler);

    public void Dispose()
    {
        Run("umount", "-l", Folder);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (int Exit, string Output) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
