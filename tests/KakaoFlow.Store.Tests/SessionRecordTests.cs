using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using KakaoFlow.Runtime;

namespace KakaoFlow.Store.Tests;

/// <summary>The last message's time read from a journal record without decoding it is the decoded session's.</summary>
public sealed class SessionRecordTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 21, 30, 0, TimeSpan.FromHours(9));

    public static TheoryData<string> Cases => ["with time", "without time", "variables named last", "choice and page"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_last_message_time_read_from_a_record_is_the_decoded_sessions(string which)
    {
        var vars = ImmutableDictionary.CreateRange(
            StringComparer.Ordinal,
            new Dictionary<string, JsonElement>
            {
                // A variable named "last", and one holding an object with a "last" of its own: neither is the session's.
                ["last"] = JsonSerializer.SerializeToElement(5),
                ["주문"] = JsonSerializer.SerializeToElement(new { last = 7, 메뉴 = new[] { "불고기 피자", "콜라" } }),
            });
        var session = which switch
        {
            "with time" => new Session { StepId = "주문확인", LastMessageAt = At },
            "without time" => new Session { StepId = "주문확인", Vars = vars },
            "variables named last" => new Session { StepId = "주문확인", Vars = vars, LastMessageAt = At },
            _ => new Session { StepId = "메뉴", LastMessageAt = At, Page = 2, Choice = new DynamicChoice(["last", "다음"], "last", "home"), FlowVersion = "v1" },
        };

        var record = SessionRecord.Write("피자", "손님", session);

        Assert.Equal(SessionRecord.Read(record).Session.LastMessageAt, SessionRecord.LastMessageAt(record));
        Assert.Equal(session.LastMessageAt, SessionRecord.LastMessageAt(record));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("{\"bot\":\"피자\",\"last\":\"어제\"}")]
    [InlineData("{\"bot\":\"피자\",\"last\":")]
    [InlineData("{\"bot\":\"피자\",\"last\":-5}")]
    public void A_record_that_is_not_a_session_record_is_refused(string text) =>
        Assert.Throws<InvalidDataException>(() => SessionRecord.LastMessageAt(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("{\"bot\":\"피자\",\"user\":\"손님\",\"step\":\"home\",\"vars\":{},\"last\":9223372036854775807}")]
    [InlineData("{\"bot\":\"피자\",\"user\":\"손님\",\"step\":\"home\",\"vars\":{},\"last\":-5}")]
    [InlineData("{\"bot\":\"피자\",\"user\":\"손님\",\"step\":\"home\",\"vars\":{},\"page\":99999999999}")]
    [InlineData("{\"bot\":\"피자\",\"user\":\"손님\",\"vars\":{}}")]
    [InlineData("{\"bot\":\"피자\",\"user\":\"손님\",\"step\":\"home\",\"vars\":[]}")]
    public void A_record_that_cannot_be_decoded_is_refused_as_not_a_session_record(string text) =>
        Assert.Throws<InvalidDataException>(() => SessionRecord.Read(Encoding.UTF8.GetBytes(text)));
}
