using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace KakaoFlow.Hosting;

/// <summary>
/// The optional shared secret of the webhook (<see cref="KakaoFlowOptions.WebhookSecret"/>). Compared in constant time
/// on SHA-256 hashes, so neither the time taken nor the length of a guess tells anything about the secret.
/// </summary>
internal sealed class WebhookSecret
{
    public const string Header = "X-KakaoFlow-Secret";

    private readonly byte[]? _hash;

    public WebhookSecret(string? secret) =>
        _hash = string.IsNullOrWhiteSpace(secret) ? null : Hash(secret.Trim());

    public bool Accepts(HttpRequest request)
    {
        if (_hash is null)
        {
            return true;
        }

        var presented = request.Headers[Header];
        return presented.Count == 1
            && presented[0] is { Length: > 0 } value
            && CryptographicOperations.FixedTimeEquals(Hash(value.Trim()), _hash);
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
