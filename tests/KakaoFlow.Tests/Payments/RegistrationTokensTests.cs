using System.Buffers.Text;
using System.Text;
using KakaoFlow.Payments;

namespace KakaoFlow.Tests.Payments;

public sealed class RegistrationTokensTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a test secret of at least 32 bytes, really");
    private const string UserKey = "kakao-user-7f3a9c";

    private readonly RegistrationTokens _tokens = new(Secret);

    [Fact]
    public void A_token_names_the_bot_and_the_user_by_hash_until_it_expires()
    {
        var token = _tokens.Issue("shop", UserKey, Now);

        var ticket = _tokens.Read(token, "shop", Now.AddMinutes(29), out _);

        Assert.NotNull(ticket);
        Assert.Equal("shop", ticket.BotId);
        Assert.Equal(PaymentUsers.Holder(UserKey), ticket.Holder);
        Assert.Equal(Now + RegistrationTokens.Lifetime, ticket.ExpiresAt);
        Assert.Null(_tokens.Read(token, "shop", Now.AddMinutes(30), out var why));
        Assert.Equal("expired", why);
    }

    [Fact]
    public void The_user_key_is_nowhere_in_the_link()
    {
        var token = _tokens.Issue("shop", UserKey, Now);
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, token.IndexOf('.', StringComparison.Ordinal))));

        Assert.DoesNotContain(UserKey, token, StringComparison.Ordinal);
        Assert.DoesNotContain(UserKey, payload, StringComparison.Ordinal);
    }

    [Fact]
    public void A_token_made_for_another_bot_is_refused()
    {
        var token = _tokens.Issue("pizza", UserKey, Now);

        Assert.Null(_tokens.Read(token, "shop", Now, out var why));
        Assert.Equal("made for another bot", why);
    }

    [Fact]
    public void A_changed_token_is_refused_whatever_was_changed()
    {
        var token = _tokens.Issue("shop", UserKey, Now);
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(0, dot)));

        // Another user's hash, a later expiry, the same signature.
        var otherUser = payload.Replace(PaymentUsers.Holder(UserKey), PaymentUsers.Holder("someone-else"), StringComparison.Ordinal);
        var forged = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(otherUser)) + token[dot..];
        var flipped = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];

        Assert.Null(_tokens.Read(forged, "shop", Now, out var why));
        Assert.Equal("bad signature", why);
        Assert.Null(_tokens.Read(flipped, "shop", Now, out _));
        Assert.Null(_tokens.Read("", "shop", Now, out _));
        Assert.Null(_tokens.Read(null, "shop", Now, out _));
        Assert.Null(_tokens.Read("not.a-token!!", "shop", Now, out _));
        Assert.Null(new RegistrationTokens(Encoding.UTF8.GetBytes("another host's secret of 32+ bytes......")).Read(token, "shop", Now, out _));
    }

    [Fact]
    public void A_short_secret_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegistrationTokens(new byte[16]));
}
