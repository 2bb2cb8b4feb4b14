using System.Globalization;
using System.Security.Cryptography;
using KakaoFlow.Storage;

namespace KakaoFlow.Payments;

/// <summary>
/// Cards and charges for every bot of a host: the registration page's work (<see cref="RegisterCard"/>) and <c>pay</c>
/// in hooks (<see cref="IHookPayments"/>), over one <see cref="IPaymentStore"/> and one <see cref="ICardGateway"/>.
/// Thread-safe. Charges and refunds of one order run one at a time in this process, and across hosts when the store is
/// shared (<see cref="ISharedPaymentStore.EnterOrder"/>); the gateway's idempotency key is a last guard against moving
/// money twice.
/// </summary>
public sealed class PaymentService : IHookPayments
{
    /// <summary>The largest amount one charge may take, in won.</summary>
    public const long MaxAmount = 100_000_000;

    private readonly IPaymentStore _store;
    private readonly ICardGateway _gateway;
    private readonly RegistrationTokens _tokens;
    private readonly Func<Uri> _publicBase;
    private readonly Func<string> _newPaymentId;
    private readonly KeyStripes _orders = new();

    /// <param name="store">Where cards and payments are kept.</param>
    /// <param name="gateway">The card network side.</param>
    /// <param name="tokens">Signs and checks registration links.</param>
    /// <param name="publicBase">The host's public base URL (asked for at each link, so it can be known only once the host listens).</param>
    /// <param name="newPaymentId">Makes payment ids; random <c>pay_…</c> by default (scenarios count, for the same transcript every run).</param>
    public PaymentService(IPaymentStore store, ICardGateway gateway, RegistrationTokens tokens, Func<Uri> publicBase, Func<string>? newPaymentId = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _gateway = gateway ?? throw new ArgumentNullException(nameof(gateway));
        _tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
        _publicBase = publicBase ?? throw new ArgumentNullException(nameof(publicBase));
        _newPaymentId = newPaymentId ?? (() => "pay_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)));
    }

    public RegistrationTokens Tokens => _tokens;

    public IPaymentStore Store => _store;

    public string RegisterUrl(string botId, string userKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(botId);
        var root = _publicBase().AbsoluteUri.TrimEnd('/');
        return $"{root}/{Uri.EscapeDataString(botId)}/pay/register?t={_tokens.Issue(botId, userKey, now)}";
    }

    public CardSummary? Card(string botId, string userKey) =>
        _store.FindCard(botId, PaymentUsers.Holder(userKey)) is { } card ? new CardSummary(card.Brand, card.Last4) : null;

    public bool RemoveCard(string botId, string userKey) => _store.DeleteCard(botId, PaymentUsers.Holder(userKey));

    /// <summary>
    /// What the registration form's POST does: checks the number (Luhn), the expiry and the name, has the gateway turn the
    /// card into a billing key, and keeps the key, brand and last 4 for the ticket's user. The number goes nowhere else.
    /// </summary>
    public CardRegistrationOutcome RegisterCard(RegistrationTicket ticket, string? number, string? expiry, string? holderName, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var digits = CardNumbers.Digits(number);
        if (digits is null || !CardNumbers.PassesLuhn(digits))
        {
            return CardRegistrationOutcome.Refused("카드 번호를 다시 확인해 주세요. 12~19자리 숫자이고, 마지막 자리(검증 숫자)가 맞아야 해요.");
        }

        if (!CardNumbers.TryParseExpiry(expiry, out var month, out var year))
        {
            return CardRegistrationOutcome.Refused("유효기간을 카드에 적힌 대로 MM/YY 형식(예: 08/29)으로 적어 주세요.");
        }

        if (CardNumbers.IsExpired(month, year, now))
        {
            return CardRegistrationOutcome.Refused("유효기간이 지난 카드예요. 다른 카드를 등록해 주세요.");
        }

        var name = (holderName ?? "").Trim();
        if (name.Length is 0 or > 60)
        {
            return CardRegistrationOutcome.Refused("카드에 적힌 이름을 적어 주세요. (60자까지)");
        }

        var registration = _gateway.Register(new CardDetails(digits, month, year, name));
        if (!registration.Ok)
        {
            return CardRegistrationOutcome.Refused(registration.Refusal ?? "카드사에서 이 카드를 등록하지 않았어요. 다른 카드를 써 주세요.");
        }

        var card = new CardRecord(ticket.BotId, ticket.Holder, _gateway.Name, registration.BillingKey!, registration.Brand, registration.Last4, now) { RegisteredWith = ticket.TokenId };
        return _store.RegisterCard(card, ticket.TokenId, ticket.ExpiresAt)
            ? CardRegistrationOutcome.Registered(new CardSummary(card.Brand, card.Last4))
            : CardRegistrationOutcome.Used;
    }

    /// <summary>
    /// Charges the user's card. An order id is taken by its first approved charge: charging it again gives that result
    /// again and moves no money; with another amount, or for another user, it is refused (<c>order_mismatch</c>), as payment
    /// APIs refuse a reused idempotency key with other parameters. A declined attempt takes nothing (the customer may fix
    /// the card and pay the same order), nor does a charge voided because its turn failed. Every attempt that reached the
    /// gateway is kept.
    /// </summary>
    public ChargeResult Charge(string botId, string userKey, double amount, string orderId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(botId);
        ArgumentNullException.ThrowIfNull(orderId);
        if (!double.IsInteger(amount) || amount is < 1 or > MaxAmount)
        {
            return Refusal(PaymentCodes.InvalidAmount, string.Format(CultureInfo.InvariantCulture, "결제 금액은 1원부터 {0:N0}원까지의 정수여야 해요.", MaxAmount));
        }

        var won = (long)amount;
        var user = PaymentUsers.Tag(userKey);
        lock (_orders.For(botId, orderId))
        {
            using var acrossHosts = EnterOrder(botId, orderId);
            var attempts = _store.PaymentsOfOrder(botId, orderId);
            if (attempts.FirstOrDefault(p => p.State == PaymentState.Approved || (p.State == PaymentState.Refunded && !p.Voided)) is { } taken)
            {
                return taken.Amount == won && taken.User == user
                    ? new ChargeResult(true, taken.PaymentId, taken.Amount, null, null) { Replayed = true }
                    : Refusal(PaymentCodes.OrderMismatch, "이 주문 번호는 이미 다른 결제에 쓰였어요.");
            }

            if (_store.FindCard(botId, PaymentUsers.Holder(userKey)) is not { } card)
            {
                return Refusal(PaymentCodes.NoCard, "등록된 결제 카드가 없어요.");
            }

            var key = string.Join('/', botId, orderId, (attempts.Count + 1).ToString(CultureInfo.InvariantCulture));
            var answer = _gateway.Charge(card.BillingKey, won, key);
            var approved = answer.Outcome == ChargeOutcome.Approved;
            var code = answer.Outcome switch
            {
                ChargeOutcome.Approved => null,
                ChargeOutcome.Declined => PaymentCodes.Declined,
                ChargeOutcome.InsufficientFunds => PaymentCodes.InsufficientFunds,
                _ => PaymentCodes.GatewayError,
            };
            var payment = new PaymentRecord(botId, _newPaymentId(), orderId, user, won, card.Brand, card.Last4, approved ? PaymentState.Approved : PaymentState.Declined, now)
            {
                Code = code,
                GatewayPaymentId = answer.GatewayPaymentId,
            };
            Keep(payment, answer);
            return approved
                ? new ChargeResult(true, payment.PaymentId, won, null, null)
                : Refusal(code!, answer.Message ?? "결제하지 못했어요.");
        }
    }

    public RefundResult Refund(string botId, string paymentId, DateTimeOffset now) => Refund(botId, paymentId, now, voided: false);

    public RefundResult Void(string botId, string paymentId, DateTimeOffset now) => Refund(botId, paymentId, now, voided: true);

    /// <summary>The bot's latest payments, newest first.</summary>
    public IReadOnlyList<PaymentRecord> Payments(string botId, int max) => _store.Payments(botId, max);

    private RefundResult Refund(string botId, string paymentId, DateTimeOffset now, bool voided)
    {
        ArgumentNullException.ThrowIfNull(paymentId);
        if (_store.FindPayment(botId, paymentId) is not { } found)
        {
            return new RefundResult(false, PaymentCodes.UnknownPayment, "그런 결제가 없어요.");
        }

        lock (_orders.For(botId, found.OrderId))
        {
            using var acrossHosts = EnterOrder(botId, found.OrderId);
            var payment = _store.FindPayment(botId, paymentId)!;
            switch (payment.State)
            {
                case PaymentState.Refunded:
                    return new RefundResult(false, PaymentCodes.AlreadyRefunded, "이미 환불한 결제예요.");
                case PaymentState.Declined:
                    return new RefundResult(false, PaymentCodes.NotApproved, "승인되지 않은 결제라 환불할 것이 없어요.");
            }

            var answer = _gateway.Refund(payment.GatewayPaymentId ?? "", payment.Amount, $"{botId}/{paymentId}/refund");
            if (answer.Outcome != ChargeOutcome.Approved)
            {
                return new RefundResult(false, PaymentCodes.GatewayError, answer.Message ?? "환불하지 못했어요. 잠시 뒤에 다시 해 주세요.");
            }

            _store.SavePayment(payment with { State = PaymentState.Refunded, RefundedAt = now, Code = voided ? PaymentCodes.TurnFailed : payment.Code });
            return new RefundResult(true, null, null);
        }
    }

    /// <summary>Other hosts on the same store wait for this one (null: the store is this host's alone).</summary>
    private IDisposable? EnterOrder(string botId, string orderId) => (_store as ISharedPaymentStore)?.EnterOrder(botId, orderId);

    /// <summary>Records an attempt; when an approved charge cannot be recorded, the money goes back before the failure is reported.</summary>
    private void Keep(PaymentRecord payment, GatewayResult answer)
    {
        try
        {
            _store.SavePayment(payment);
        }
        catch (StoreException) when (answer.Outcome == ChargeOutcome.Approved)
        {
            _gateway.Refund(answer.GatewayPaymentId ?? "", payment.Amount, $"{payment.BotId}/{payment.PaymentId}/refund");
            throw;
        }
    }

    private static ChargeResult Refusal(string code, string message) => new(false, null, 0, code, message);
}

/// <summary>What became of a registration form: the card kept, a message for the page (400), or a used link (403).</summary>
public sealed record CardRegistrationOutcome(CardSummary? Card, string? Problem, bool TokenUsed)
{
    public static CardRegistrationOutcome Used { get; } = new(null, null, true);

    public static CardRegistrationOutcome Registered(CardSummary card) => new(card, null, false);

    public static CardRegistrationOutcome Refused(string problem) => new(null, problem, false);
}
