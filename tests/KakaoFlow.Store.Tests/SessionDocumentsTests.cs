using KakaoFlow.Runtime;
using KakaoFlow.Store.Tests.Support;

namespace KakaoFlow.Store.Tests;

/// <summary>The flush writes a session's document straight from its journal record: the same document as from the session.</summary>
public sealed class SessionDocumentsTests
{
    public static TheoryData<string> Cases => ["full", "paged", "new", "never seen"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_document_made_from_a_journal_record_is_the_document_of_the_session(string which)
    {
        var session = which switch
        {
            "full" => Sessions.Turn("손님", 3),
            "paged" => Sessions.Turn("손님", 4) with { Page = 2, FlowVersion = null },
            "new" => Session.New,
            _ => Sessions.LastSeen(null) with { Choice = null },
        };
        var id = StoreNames.IdOf("피자봇", "손님");

        var fromRecord = SessionDocuments.FromRecord(id, "피자봇", SessionRecord.Write("피자봇", "손님", session));
        var fromSession = SessionDocuments.ToDocument(id, "피자봇", session);

        SessionAssert.Same(session, SessionDocuments.FromDocument(fromRecord));
        // Every field but the variables' text (the same object, perhaps in another order) is identical.
        fromRecord.Remove("vars");
        fromSession.Remove("vars");
        Assert.Equal(fromSession.ToString(), fromRecord.ToString());
    }

    [Fact]
    public void A_record_that_is_not_a_session_is_refused_as_invalid_data()
    {
        Assert.Throws<InvalidDataException>(() => SessionDocuments.FromRecord("a", "b", "{\"bot\":1}"u8.ToArray()));
        Assert.Throws<InvalidDataException>(() => SessionDocuments.FromRecord("a", "b", "not json"u8.ToArray()));
    }
}
