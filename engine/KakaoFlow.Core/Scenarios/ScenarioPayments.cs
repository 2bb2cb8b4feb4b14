using System.Globalization;
using System.Text;
using KakaoFlow.Payments;

namespace KakaoFlow.Scenarios;

/// <summary>
/// Payments in a scenario: the sandbox gateway and an in-memory store, with links and payment ids counted instead of
/// random, so the transcript is the same on every run. Links point at <see cref="LinkBase"/>; a <c>register_card:</c>
/// turn does what the registration page's form does.
/// </summary>
public static class ScenarioPayments
{
    public static readonly Uri LinkBase = new("https://pay.kakaoflow.test/");

    /// <summary>Not a secret: scenario links are made to be read in transcripts.</summary>
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("kakaoflow scenario links, not a secret");

    public static PaymentService Create()
    {
        var links = 0;
        var payments = 0;
        return new PaymentService(
            new InMemoryPaymentStore(),
            new SandboxGateway(),
            new RegistrationTokens(Key, () => "link" + (++links).ToString(CultureInfo.InvariantCulture)),
            () => LinkBase,
            () => "pay_" + (++payments).ToString("D4", CultureInfo.InvariantCulture));
    }

    public static CardRegistrationOutcome Register(PaymentService payments, string botId, string user, string number, DateTimeOffset now)
    {
        var ticket = payments.Tokens.Read(payments.Tokens.Issue(botId, user, now), botId, now, out _)!;
        return payments.RegisterCard(ticket, number, "12/30", "테스트", now);
    }
}
