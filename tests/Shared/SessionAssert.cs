using System.Text.Encodings.Web;
using System.Text.Json;
using KakaoFlow.Runtime;

namespace KakaoFlow.Testing;

internal static class SessionAssert
{
    /// <summary>Same position (page included), times, version and variables (the record's own equality compares the dictionary by reference).</summary>
    public static void Same(Session? expected, Session? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.StepId, actual.StepId);
        Assert.Equal(expected.LastMessageAt, actual.LastMessageAt);
        Assert.Equal(expected.FlowVersion, actual.FlowVersion);
        Assert.Equal(expected.Choice, actual.Choice);
        Assert.Equal(expected.Page, actual.Page);
        Assert.Equal(Vars(expected), Vars(actual));
    }

    /// <summary>The variables in name order, each as normalised JSON text (escaping differences do not count).</summary>
    public static IEnumerable<(string Name, string Json)> Vars(Session session) =>
        session.Vars.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, Normalise(pair.Value))).ToArray();

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Normalise(JsonElement value) => JsonSerializer.Serialize(value, Relaxed);
}
