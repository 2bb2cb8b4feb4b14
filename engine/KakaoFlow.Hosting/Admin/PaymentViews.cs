using System.Text.Json.Serialization;
using KakaoFlow.Payments;
using Microsoft.AspNetCore.Http;

namespace KakaoFlow.Hosting.Admin;

/// <summary>
/// One charge attempt in <c>GET /_admin/bots/{bot}/payments</c>. Names are snake_case (<c>order_id</c>,
/// <c>payment_id</c>) like every other admin answer, so one client reads the whole admin API with one naming rule.
/// </summary>
public sealed record PaymentView(
    string OrderId,
    string PaymentId,
    long Amount,
    string State,
    DateTimeOffset At,
    string User,
    string Brand,
    string Last4)
{
    /// <summary>Why a charge was declined, or <c>turn_failed</c> for a charge the host refunded itself.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RefundedAt { get; init; }
}

public sealed record PaymentListView(IReadOnlyList<PaymentView> Payments);

/// <summary>The admin API's payments endpoint.</summary>
internal static class PaymentEndpoints
{
    /// <summary>The most payments one answer lists (the latest).</summary>
    public const int Shown = 1000;

    public static IResult List(string bot, BotCatalog catalog, Payments.HostPayments payments)
    {
        if (catalog.Find(bot) is null && !catalog.Refused.Contains(bot))
        {
            return AdminEndpoints.Error(StatusCodes.Status404NotFound, $"unknown bot '{bot}'");
        }

        var list = payments.Service?.Payments(bot, Shown) ?? [];
        var views = list.Select(p => new PaymentView(p.OrderId, p.PaymentId, p.Amount, State(p.State), p.At, p.User, p.Brand, p.Last4)
        {
            Code = p.Code,
            RefundedAt = p.RefundedAt,
        }).ToList();
        return TypedResults.Json(new PaymentListView(views), AdminJson.Web.PaymentListView);
    }

    private static string State(PaymentState state) => state switch
    {
        PaymentState.Approved => "approved",
        PaymentState.Declined => "declined",
        _ => "refunded",
    };
}
