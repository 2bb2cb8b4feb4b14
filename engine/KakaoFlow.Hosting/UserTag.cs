using System.Security.Cryptography;
using System.Text;

namespace KakaoFlow.Hosting;

/// <summary>
/// How a user_key appears in logs: never in clear (docs/kakao-api.md, "Privacy": it is personal-data-adjacent), only as
/// the first 12 hex digits of its SHA-256, enough to follow one user through the logs.
/// </summary>
internal static class UserTag
{
    public static string Of(string userKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userKey)))[..12];
}
