namespace KakaoFlow.Payments;

/// <summary>Cards and payments in memory (scenarios, the simulator, tests): the LiteDB store's behaviour, nothing kept.</summary>
public sealed class InMemoryPaymentStore : IPaymentStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Bot, string Holder), CardRecord> _cards = [];
    private readonly Dictionary<string, DateTimeOffset> _usedTokens = new(StringComparer.Ordinal);
    private readonly List<PaymentRecord> _payments = [];

    public CardRecord? FindCard(string botId, string holder)
    {
        lock (_gate)
        {
            return _cards.GetValueOrDefault((botId, holder));
        }
    }

    public bool RegisterCard(CardRecord card, string tokenId, DateTimeOffset tokenExpiresAt)
    {
        ArgumentNullException.ThrowIfNull(card);
        lock (_gate)
        {
            if (!_usedTokens.TryAdd(tokenId, tokenExpiresAt))
            {
                return false;
            }

            // Used links are forgotten once expired, as in the LiteDB store.
            foreach (var (id, expires) in _usedTokens.Where(used => used.Value < card.RegisteredAt).ToList())
            {
                _usedTokens.Remove(id);
            }

            _cards[(card.BotId, card.Holder)] = card with { RegisteredWith = tokenId };
            return true;
        }
    }

    public bool DeleteCard(string botId, string holder)
    {
        lock (_gate)
        {
            return _cards.Remove((botId, holder));
        }
    }

    public void SavePayment(PaymentRecord payment)
    {
        ArgumentNullException.ThrowIfNull(payment);
        lock (_gate)
        {
            var index = _payments.FindIndex(p => p.BotId == payment.BotId && p.PaymentId == payment.PaymentId);
            if (index >= 0)
            {
                _payments[index] = payment;
            }
            else
            {
                _payments.Add(payment);
            }
        }
    }

    public PaymentRecord? FindPayment(string botId, string paymentId)
    {
        lock (_gate)
        {
            return _payments.Find(p => p.BotId == botId && p.PaymentId == paymentId);
        }
    }

    public IReadOnlyList<PaymentRecord> PaymentsOfOrder(string botId, string orderId)
    {
        lock (_gate)
        {
            return [.. _payments.Where(p => p.BotId == botId && p.OrderId == orderId)];
        }
    }

    public IReadOnlyList<PaymentRecord> Payments(string botId, int max)
    {
        lock (_gate)
        {
            return [.. _payments.Where(p => p.BotId == botId).Reverse().Take(max)];
        }
    }
}
