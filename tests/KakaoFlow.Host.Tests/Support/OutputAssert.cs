namespace KakaoFlow.Host.Tests.Support;

/// <summary>Checks on what a command printed.</summary>
internal static class OutputAssert
{
    /// <summary>Each of <paramref name="expected"/> stands in <paramref name="output"/> (ordinal); the first missing one fails.</summary>
    public static void ContainsAll(string output, params string[] expected)
    {
        foreach (var part in expected)
        {
            Assert.Contains(part, output, StringComparison.Ordinal);
        }
    }
}
