using KakaoFlow.Payments;

namespace KakaoFlow.Store.Tests.Contracts;

/// <summary>What every <see cref="IPaymentStore"/> does. A store joins with one subclass (see <see cref="StoreContract{TStore}"/>).</summary>
public abstract class PaymentStoreContract : StoreContract<IPaymentStore>
{
    private const string Bot = "shop";
    private static readonly DateTimeOffset At = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string Holder = new('a', 64);

    private static CardRecord Card(string last4 = "4242", string holder = "") =>
        new(Bot, holder.Length > 0 ? holder : Holder, "sandbox", "sbx_ok_" + last4, "Visa", last4, At);

    private static PaymentRecord Payment(string id, string order, PaymentState state = PaymentState.Approved, int minutes = 0) =>
        new(Bot, id, order, "a1b2c3d4e5f6", 5600, "Visa", "4242", state, At.AddMinutes(minutes)) { GatewayPaymentId = "gw_" + id };

    [Fact]
    public void A_card_is_kept_per_bot_and_user_and_survives_a_restart()
    {
        Assert.True(Store.RegisterCard(Card(), "link-1", At.AddMinutes(30)));

        var restarted = Restart();
        Assert.Equal(Card() with { RegisteredWith = "link-1" }, restarted.FindCard(Bot, Holder));
        Assert.Null(restarted.FindCard("pizza", Holder));
        Assert.Null(restarted.FindCard(Bot, new string('b', 64)));
    }

    [Fact]
    public void A_registration_link_is_used_once_and_a_new_card_replaces_the_old()
    {
        Assert.True(Store.RegisterCard(Card("4242"), "link-1", At.AddMinutes(30)));
        Assert.False(Store.RegisterCard(Card("4444"), "link-1", At.AddMinutes(30)));
        Assert.True(Restart().RegisterCard(Card("4444"), "link-2", At.AddMinutes(30)));

        Assert.Equal("4444", Store.FindCard(Bot, Holder)!.Last4);
        Assert.False(Store.RegisterCard(Card("5555"), "link-2", At.AddMinutes(30)));
    }

    [Fact]
    public void A_deleted_card_is_gone()
    {
        Store.RegisterCard(Card(), "link-1", At.AddMinutes(30));

        Assert.True(Store.DeleteCard(Bot, Holder));
        Assert.False(Store.DeleteCard(Bot, Holder));
        Assert.Null(Restart().FindCard(Bot, Holder));
    }

    [Fact]
    public void Payments_are_found_by_id_and_order_and_listed_newest_first()
    {
        Store.SavePayment(Payment("pay_1", "A1", PaymentState.Declined, minutes: 0) with { Code = "declined", GatewayPaymentId = null });
        Store.SavePayment(Payment("pay_2", "A1", minutes: 1));
        Store.SavePayment(Payment("pay_3", "A2", minutes: 2));

        var restarted = Restart();
        Assert.Equal(["pay_1", "pay_2"], restarted.PaymentsOfOrder(Bot, "A1").Select(p => p.PaymentId));
        Assert.Equal(["pay_3", "pay_2", "pay_1"], restarted.Payments(Bot, 10).Select(p => p.PaymentId));
        Assert.Equal(["pay_3"], restarted.Payments(Bot, 1).Select(p => p.PaymentId));
        Assert.Equal(Payment("pay_2", "A1", minutes: 1), restarted.FindPayment(Bot, "pay_2"));
        Assert.Equal(("declined", (string?)null), (restarted.FindPayment(Bot, "pay_1")!.Code, restarted.FindPayment(Bot, "pay_1")!.GatewayPaymentId));
        Assert.Null(restarted.FindPayment("pizza", "pay_2"));
        Assert.Empty(restarted.Payments("pizza", 10));
    }

    [Fact]
    public void Saving_a_payment_again_replaces_it()
    {
        Store.SavePayment(Payment("pay_1", "A1"));
        var refunded = Payment("pay_1", "A1") with { State = PaymentState.Refunded, RefundedAt = At.AddMinutes(3), Code = "turn_failed" };

        Store.SavePayment(refunded);

        Assert.Equal(refunded, Restart().FindPayment(Bot, "pay_1"));
        Assert.Single(Store.Payments(Bot, 10));
        Assert.True(Store.FindPayment(Bot, "pay_1")!.Voided);
    }
}
