using KakaoFlow.Runtime;

namespace KakaoFlow.Host.Tests.Support;

internal static class SessionAssert
{
    /// <summary>Same position, times, version and variables (the record's own equality compares the dictionary by reference).</summary>
    public static void Same(Session? expected, Session? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.StepId, actual.StepId);
        Assert.Equal(expected.LastMessageAt, actual.LastMessageAt);
        Assert.Equal(expected.FlowVersion, actual.FlowVersion);
        Assert.Equal(expected.Choice, actual.Choice);
        Assert.Equal(Vars(expected), Vars(actual));
    }

    public static IEnumerable<(string Name, string Json)> Vars(Session session) =>
        session.Vars.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value.GetRawText())).ToArray();
}
