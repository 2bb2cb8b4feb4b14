namespace KakaoFlow.Payments;

/// <summary>
/// A payment store that several hosts share (Redis, docs/scale-out.md). It keeps the key that signs registration links,
/// so that a link one host gave is accepted by every other, and it orders the charges and refunds of one order across
/// hosts, as <see cref="PaymentService"/> orders them within its own process.
/// </summary>
public interface ISharedPaymentStore : IPaymentStore
{
    /// <summary>The key that signs registration links (at least 32 bytes), made by the first host that asks.</summary>
    /// <exception cref="Storage.StoreException">The store cannot be read.</exception>
    byte[] LinkSecret();

    /// <summary>
    /// Waits until no other host charges or refunds this order, and holds that until the result is disposed. A host that
    /// dies holding it lets go by itself within a few seconds.
    /// </summary>
    /// <exception cref="Storage.StoreException">The store cannot be reached, or the order stayed held too long.</exception>
    IDisposable EnterOrder(string botId, string orderId);
}
