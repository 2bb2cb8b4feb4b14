using System.Globalization;
using System.Text.Json.Nodes;

namespace KakaoFlow.Cli.Admin;

/// <summary>What <c>kakaoflow admin payments BOT</c> prints: one row per charge attempt, newest first, and the totals.</summary>
internal static class PaymentsTable
{
    public static string Render(string bot, JsonObject body)
    {
        var payments = (body["payments"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (payments.Count == 0)
        {
            return $"no payments recorded for {bot}\n";
        }

        var table = TextTable.Render(
            ["AT (UTC)", "ORDER", "PAYMENT", "AMOUNT", "STATE", "CARD", "USER", "CODE"],
            payments.Select(p => (IReadOnlyList<string>)
            [
                Text(p["at"]), Text(p["order_id"]), Text(p["payment_id"]), Won(p["amount"]), Text(p["state"]),
                $"{Text(p["brand"])} ****{Text(p["last4"])}", Text(p["user"]), Text(p["code"]),
            ]));
        var approved = payments.Where(p => Text(p["state"]) == "approved").ToList();
        var refunded = payments.Count(p => Text(p["state"]) == "refunded");
        var declined = payments.Count(p => Text(p["state"]) == "declined");
        return table + string.Create(
            CultureInfo.InvariantCulture,
            $"{approved.Count} approved ({approved.Sum(p => (long?)p["amount"] ?? 0):N0}원), {refunded} refunded, {declined} declined\n");
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
