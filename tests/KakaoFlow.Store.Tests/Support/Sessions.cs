using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using KakaoFlow.Runtime;

namespace KakaoFlow.Store.Tests.Support;

/// <summary>Sessions that exercise every field: Korean text, numbers, nested JSON, a choice, a time with an offset and sub-millisecond ticks.</summary>
internal static class Sessions
{
    public static readonly DateTimeOffset At = new(2026, 11, 25, 21, 0, 0, TimeSpan.FromHours(9));

    /// <summary>A user's session after <paramref name="turn"/> turns.</summary>
    public static Session Turn(string userKey, int turn) => new()
    {
        StepId = "주문/" + turn.ToString(CultureInfo.InvariantCulture),
        Vars = ImmutableDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, JsonElement>
        {
            ["이름"] = FlowValues.Text(userKey + "님"),
            ["메뉴"] = FlowValues.Text("불고기 피자 \"라지\" \\ 🍕"),
            ["수량"] = FlowValues.Number(turn),
            ["할인율"] = FlowValues.Number(0.15 * turn),
            ["결제함"] = FlowValues.Boolean(turn % 2 == 0),
            ["쿠폰"] = FlowValues.Null,
            ["장바구니"] = JsonDocument.Parse("""[{"이름":"콜라","개수":2},{"이름":"감자튀김","개수":1}]""").RootElement.Clone(),
        }),
        LastMessageAt = At.AddMinutes(turn).AddTicks(1234),
        FlowVersion = "v" + turn.ToString(CultureInfo.InvariantCulture),
        Choice = new DynamicChoice(["치즈 추가", "그대로", turn.ToString(CultureInfo.InvariantCulture) + "판"], "토핑", "확인"),
    };

    /// <summary>A session whose last message was at <paramref name="at"/> (null: never).</summary>
    public static Session LastSeen(DateTimeOffset? at) => Session.New with { LastMessageAt = at };
}
