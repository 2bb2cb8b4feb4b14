using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KakaoFlow.Payments;

/// <summary>
/// The signed token in a card registration link (<c>/{bot}/pay/register?t=TOKEN</c>): the bot, the user as
/// <see cref="PaymentUsers.Holder"/> (the user_key never appears in the link), the expiry and a random id, signed with
/// HMAC-SHA256 under the host's secret. Checked in constant time; a token names one bot and one user and cannot be
/// changed to name others.
/// </summary>
public sealed class RegistrationTokens
{
    /// <summary>How long a link works: 30 minutes.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private const string Version = "kf1";
    private readonly Func<byte[]> _secret;
    private readonly Func<string> _newId;

    /// <param name="secret">At least 32 bytes, kept by the host (docs/commerce.md, "The signing key").</param>
    /// <param name="newId">Makes each token's id; random by default (tests pass a counter, for the same links every run).</param>
    public RegistrationTokens(byte[] secret, Func<string>? newId = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(secret.Length, 32, nameof(secret));
        byte[] copy = [.. secret];
        _secret = () => copy;
        _newId = newId ?? NewId;
    }

    /// <param name="secret">
    /// Asked for at every link made or read: a key kept in a store that several hosts share (<see cref="ISharedPaymentStore.LinkSecret"/>),
    /// so that a host never signs with a key the others have replaced. At least 32 bytes.
    /// </param>
    public RegistrationTokens(Func<byte[]> secret)
    {
        _secret = secret ?? throw new ArgumentNullException(nameof(secret));
        _newId = NewId;
    }

    public string Issue(string botId, string userKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(botId);
        var expires = (now + Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes(string.Join('|', Version, botId, PaymentUsers.Holder(userKey), expires, _newId()));
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(Secret(), payload));
    }

    /// <summary>The token's content when it is intact, made for <paramref name="botId"/> and not expired; otherwise null and why (for the log).</summary>
    public RegistrationTicket? Read(string? token, string botId, DateTimeOffset now, out string why)
    {
        why = "no token";
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || token.Length > 1024)
        {
            return null;
        }

        byte[] payload, signature;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            why = "not a token";
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Secret(), payload), signature))
        {
            why = "bad signature";
            return null;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('|');
        if (parts.Length != 5 || parts[0] != Version || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            why = "unknown token version";
            return null;
        }

        if (!string.Equals(parts[1], botId, StringComparison.Ordinal))
        {
            why = "made for another bot";
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (now >= expires)
        {
            why = "expired";
            return null;
        }

        why = "";
        return new RegistrationTicket(parts[1], parts[2], expires, parts[4]);
    }

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private byte[] Secret()
    {
        var secret = _secret();
        return secret is { Length: >= 32 } ? secret : throw new InvalidOperationException("the key that signs registration links must have at least 32 bytes");
    }
}

/// <summary>An intact, unexpired registration token: whose card it registers, until when, and its id (used once).</summary>
public sealed record RegistrationTicket(string BotId, string Holder, DateTimeOffset ExpiresAt, string TokenId);
