using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace KakaoFlow.Hosting.Admin;

internal enum AdminRole
{
    None,
    Owner,
    Operator,
}

/// <summary>
/// The two bearer tokens of the admin API. Owner: <see cref="KakaoFlowHostOptions.AdminToken"/>, else
/// <c>KAKAOFLOW_ADMIN_TOKEN</c>, else a random token generated at first start and kept in
/// <c>kakaoflow.admin-token</c> next to the LiteDB file (created with mode 600). Operator:
/// <see cref="KakaoFlowHostOptions.OperatorToken"/>, else <c>KAKAOFLOW_OPERATOR_TOKEN</c>, else none.
/// Tokens are compared in constant time (their SHA-256 hashes, so lengths leak nothing either).
/// </summary>
internal sealed class AdminTokens
{
    public const string OwnerVariable = "KAKAOFLOW_ADMIN_TOKEN";
    public const string OperatorVariable = "KAKAOFLOW_OPERATOR_TOKEN";
    public const string FileName = "kakaoflow.admin-token";

    private readonly byte[] _owner;
    private readonly byte[]? _operator;

    public AdminTokens(KakaoFlowHostOptions options, ILogger<AdminTokens> logger)
    {
        var owner = NonEmpty(options.AdminToken) ?? NonEmpty(Environment.GetEnvironmentVariable(OwnerVariable));
        if (owner is null)
        {
            TokenFile = FileFor(options.DataFile);
            owner = ReadOrCreate(TokenFile);
            Log.AdminTokenFile(logger, TokenFile);
        }

        var operatorToken = NonEmpty(options.OperatorToken) ?? NonEmpty(Environment.GetEnvironmentVariable(OperatorVariable));
        if (operatorToken is null)
        {
            Log.NoOperatorToken(logger);
        }

        _owner = Hash(owner);
        _operator = operatorToken is null ? null : Hash(operatorToken);
    }

    /// <summary>The file holding the generated owner token, when there is one.</summary>
    public string? TokenFile { get; }

    public static string FileFor(string dataFile) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataFile)) ?? ".", FileName);

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
