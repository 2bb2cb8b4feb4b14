using System.Security.Cryptography;
using System.Text;

namespace KakaoFlow.Payments;

/// <summary>
/// How a user appears in payments: never by user_key (personal-data-adjacent, docs/kakao-api.md "Privacy"). A card
/// belongs to the full SHA-256 of the key (<see cref="Holder"/>, 64 hex digits: no two users share one); payment records
/// and logs show its first 12 hex digits (<see cref="Tag"/>, the same tag as every other log line of the host).
/// </summary>
public static class PaymentUsers
{
    public static string Holder(string userKey)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userKey)));
    }

    public static string Tag(string userKey) => Holder(userKey)[..12];
}
