using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace KakaoFlow.Hosting.Admin;

internal enum AdminRole
{
    None,
    Owner,
    Operator,
}

/// <summary>
/// The two bearer tokens of the admin API. Owner: <see cref="KakaoFlowOptions.AdminToken"/>, else a random token
/// generated at first start and kept in <see cref="KakaoFlowOptions.AdminTokenFile"/> (created with mode 600).
/// Operator: <see cref="KakaoFlowOptions.OperatorToken"/>, else none.
/// Tokens are compared in constant time (their SHA-256 hashes, so lengths leak nothing either).
/// </summary>
internal sealed class AdminTokens
{
    private readonly byte[] _owner;
    private readonly byte[]? _operator;

    public AdminTokens(IOptions<KakaoFlowOptions> settings, ILogger<AdminTokens> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = settings.Value;
        var owner = NonEmpty(options.AdminToken);
        if (owner is null)
        {
            TokenFile = Path.GetFullPath(options.AdminTokenFile);
            owner = ReadOrCreate(TokenFile);
            Log.AdminTokenFile(logger, TokenFile);
        }

        var operatorToken = NonEmpty(options.OperatorToken);
        if (operatorToken is null)
        {
            Log.NoOperatorToken(logger);
        }

        _owner = Hash(owner);
        _operator = operatorToken is null ? null : Hash(operatorToken);
    }

    /// <summary>The file holding the generated owner token, when there is one.</summary>
    public string? TokenFile { get; }

    /// <summary>The role of a presented token; the operator's role includes the owner's.</summary>
    public AdminRole RoleOf(string token)
    {
        var hash = Hash(token);

        // Both comparisons always run, so the time taken does not tell which token (if any) matched.
        var isOperator = _operator is not null & CryptographicOperations.FixedTimeEquals(hash, _operator ?? _owner);
        var isOwner = CryptographicOperations.FixedTimeEquals(hash, _owner);
        return isOperator ? AdminRole.Operator : isOwner ? AdminRole.Owner : AdminRole.None;
    }

    private static string ReadOrCreate(string path)
    {
        if (File.Exists(path) && NonEmpty(File.ReadAllText(path).Trim()) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var file = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Created with mode 600 from the start: no moment where another user could read it.
            file.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), file))
        {
            writer.Write(token + "\n");
        }

        return token;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Where a generated owner token is kept: <c>kakaoflow.admin-token</c> next to the data file.</summary>
public static class AdminTokenFile
{
    public const string Name = "kakaoflow.admin-token";

    public static string NextTo(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataFile)) ?? ".", Name);
}
