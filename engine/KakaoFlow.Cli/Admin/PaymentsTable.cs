using System.Globalization;
using System.Text.Json.Nodes;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;

namespace KakaoFlow.Cli.Admin;

/// <summary>What <c>kakaoflow admin payments BOT</c> prints: one row per charge attempt, newest first, and the totals.</summary>
internal static class PaymentsTable
{
    public static string Render(string bot, JsonObject body)
    {
        var payments = (body["payments"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (payments.Count == 0)
        {
            return Messages.Format(CliMessages.Admin_NoPayments, bot) + "\n";
        }

        var table = TextTable.Render(
            [
                CliMessages.Admin_Column_At, CliMessages.Admin_Column_Order, CliMessages.Admin_Column_Payment, CliMessages.Admin_Column_Amount,
                CliMessages.Admin_Column_State, CliMessages.Admin_Column_Card, CliMessages.Admin_Column_User, CliMessages.Admin_Column_Code,
            ],
            payments.Select(p => (IReadOnlyList<string>)
            [
                Text(p["at"]), Text(p["order_id"]), Text(p["payment_id"]), Won(p["amount"]), Text(p["state"]),
                $"{Text(p["brand"])} ****{Text(p["last4"])}", Text(p["user"]), Text(p["code"]),
            ]));
        var approved = payments.Where(p => Text(p["state"]) == "approved").ToList();
        var refunded = payments.Count(p => Text(p["state"]) == "refunded");
        var declined = payments.Count(p => Text(p["state"]) == "declined");
        var total = approved.Sum(p => (long?)p["amount"] ?? 0).ToString("N0", CultureInfo.InvariantCulture);
        return table + Messages.Format(CliMessages.Admin_PaymentTotals, approved.Count, total, refunded, declined) + "\n";
    }

    private static string Won(JsonNode? amount) =>
        string.Create(CultureInfo.InvariantCulture, $"{(long?)amount ?? 0:N0}원");

    private static string Text(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };
}
