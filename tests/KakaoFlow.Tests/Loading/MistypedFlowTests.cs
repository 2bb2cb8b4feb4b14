using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Tests.Support;
using KakaoFlow.Yaml;

namespace KakaoFlow.Tests.Loading;

/// <summary>
/// The sample flows with one typing slip each (a character dropped, doubled or typed in between): reading them
/// always ends in diagnostics, never in an exception, and every syntax error has a place in the file.
/// </summary>
public sealed class MistypedFlowTests
{
    private static readonly char[] Slips = [':', ' ', '"', '\'', '{', '}', '[', '\\', '#', '-', '\n', '|', '가'];

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var bot in Directory.GetDirectories(Path.Combine(TestFlows.RepoRoot, "flows")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(bot));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_slip_anywhere_is_reported_not_thrown(string bot)
    {
        var text = File.ReadAllText(Path.Combine(TestFlows.RepoRoot, "flows", bot, "flow.yaml"));
        var random = new Random(18);
        for (var i = 0; i < 400; i++)
        {
            var at = random.Next(text.Length);
            var slip = Slips[random.Next(Slips.Length)];
            var mistyped = (random.Next(3)) switch
            {
                0 => text.Remove(at, 1),
                1 => text.Insert(at, slip.ToString()),
                _ => text.Remove(at, 1).Insert(at, slip.ToString()),
            };

            var bag = new DiagnosticBag();
            var exception = Record.Exception(() => FlowReader.Read(new YamlSourceText("flow.yaml", mistyped), bag));

            Assert.True(exception is null, $"slip {i} at {at} ('{slip}') threw {exception}");
            var lines = mistyped.Split('\n').Length;
            Assert.All(bag.Items.Where(d => d.Code == "KF001"), d => Assert.InRange(d.Span.Line, 1, lines + 1));
        }
    }
}
