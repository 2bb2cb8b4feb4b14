using System.Security.Cryptography;
using System.Text;

namespace KakaoFlow.Hosting.Payments;

/// <summary>
/// The host's key for signing card registration links: <c>kakaoflow.pay-secret</c> next to the data file, 32 random
/// bytes written once with mode 600, so links stay valid across restarts and no other local user can forge one.
/// </summary>
public static class PaymentSecretFile
{
    public const string Name = "kakaoflow.pay-secret";

    public static string NextTo(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataFile)) ?? ".", Name);

    /// <summary>The configured secret's bytes, else the file's (made now if missing or empty).</summary>
    public static byte[] Load(string? configured, string path)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var bytes = Encoding.UTF8.GetBytes(configured.Trim());
            return bytes.Length >= 32
                ? bytes
                : throw new InvalidOperationException($"{KakaoFlowPaymentOptions.Section}:Secret must be at least 32 characters");
        }

        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: >= 32 } existing)
        {
            return Encoding.UTF8.GetBytes(existing);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Mode 600 from the moment the file exists.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(secret + "\n"));
        }

        return Encoding.UTF8.GetBytes(secret);
    }
}
