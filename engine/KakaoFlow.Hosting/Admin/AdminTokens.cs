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
/// generated at first start and kept in <see cref="KakaoFlowOptions.AdminTokenFile"/> (created with mode 600; an existing
/// file that is a symbolic link or that others may read is refused with <see cref="KakaoFlowStartException"/>).
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
        var exists = Exists(path);
        if (exists && NonEmpty(ReadPrivate(path)) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        // CreateNew fails rather than follow a link put there meanwhile; an empty file (checked above) is reused.
        var file = new FileStreamOptions { Mode = exists ? FileMode.Truncate : FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
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

    /// <summary>Whether the file is there; a symbolic link (even a dangling one) is refused, never followed.</summary>
    private static bool Exists(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            throw new KakaoFlowStartException(
                $"the admin token file {path} is a symbolic link (to {target}); it must be a regular file with mode 600 that only " +
                "this user can read. Remove the link (a new token is generated at the next start) or put the token file itself there.");
        }

        return info.Exists;
    }

    /// <summary>The file's text, refused when its mode lets anyone but its owner read, write or run it.</summary>
    private static string ReadPrivate(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(stream.SafeFileHandle);
            if ((mode & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
            {
                throw new KakaoFlowStartException(
                    $"the admin token file {path} has mode {Convert.ToString((int)mode, 8)}: users other than its owner may read or change it. " +
                    $"Run chmod 600 {path}; since the token may have been read, better delete the file to have a new one generated at the next start.");
            }
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Trim();
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
