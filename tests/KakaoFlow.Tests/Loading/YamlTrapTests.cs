using System.Diagnostics;
using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;
using KakaoFlow.Yaml;

namespace KakaoFlow.Tests.Loading;

/// <summary>YAML does surprising things to non-developers' text; the loader must not.</summary>
public sealed class YamlTrapTests
{
    private static FlowDocument Read(string yaml)
    {
        var bag = new DiagnosticBag();
        var document = FlowReader.Read(new YamlSourceText("flow.yaml", yaml), bag);
        Assert.Empty(bag.Items);
        return document!;
    }

    [Theory]
    [InlineData("예")]
    [InlineData("no")]
    [InlineData("yes")]
    [InlineData("on")]
    [InlineData("off")]
    [InlineData("1.0")]
    [InlineData("010")]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("true")]
    public void Reply_text_stays_exactly_as_written(string written)
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + $"home:\n  - 대답: {written}\n  - {written}: 버튼\n");
        var result = new FlowRuntime().Step(flow, Session.New, Turn.Text("대답"), DateTimeOffset.UnixEpoch);

        Assert.Equal(written, result.Reply.Message.Text);
        Assert.Equal(["대답", written], flow.HomeKeyboard.Buttons.ToArray());
    }

    [Fact]
    public void Set_values_are_typed_as_design_says()
    {
        var document = Read("""
            home:
              - 가:
                  set: { price: 18000, rate: 1.5, vip: true, answer: no, quoted: "18000", code: 010a, empty: }
                  say: 좋아요
            """);
        var set = document.Home!.Buttons[0].Target.Set.ToDictionary(s => s.Name.Value, s => s.Value);

        Assert.Equal(18000, set["price"].GetDouble());
        Assert.Equal(1.5, set["rate"].GetDouble());
        Assert.True(set["vip"].GetBoolean());
        Assert.Equal("no", set["answer"].GetString());
        Assert.Equal("18000", set["quoted"].GetString());
        Assert.Equal("010a", set["code"].GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, set["empty"].ValueKind);
    }

    [Fact]
    public void Duplicate_keys_report_both_locations()
    {
        var diagnostics = TestFlows.Diagnostics(TestFlows.Header + "home:\n  - 가: 나\nhome:\n  - 다: 라\n");

        var duplicate = Assert.Single(diagnostics, d => d.Code == "KF002");
        Assert.Equal((6, 1), (duplicate.Span.Line, duplicate.Span.Column));
        Assert.Contains("line 4, column 1", duplicate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Billion_laughs_is_refused_quickly_with_little_memory()
    {
        var lines = new List<string> { "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]" };
        for (var level = 'b'; level <= 'j'; level++)
        {
            var previous = (char)(level - 1);
            lines.Add($"{level}: &{level} [{string.Join(",", Enumerable.Repeat("*" + previous, 10))}]");
        }

        lines.Add("home: *j");
        var before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();

        var diagnostics = TestFlows.Diagnostics(string.Join("\n", lines));

        watch.Stop();
        Assert.Contains(diagnostics, d => d.Code == "KF003");
        // Loose bounds: an unbounded expansion would be 10^10 nodes (hours, gigabytes).
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "alias bomb allocated too much");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "alias bomb took too long");
    }

    [Fact]
    public void Modest_aliases_are_allowed()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 메뉴: &back { say: 메뉴입니다, goto: home }
              - 다시: *back
            """);

        Assert.Equal(["메뉴", "다시"], flow.HomeKeyboard.Buttons.ToArray());
    }

    [Fact]
    public void Deep_nesting_is_a_located_error_not_a_crash()
    {
        var yaml = "home: " + new string('[', 5000) + new string(']', 5000);

        var diagnostics = TestFlows.Diagnostics(yaml);

        var error = Assert.Single(diagnostics);
        Assert.Equal("KF001", error.Code);
        Assert.Equal(1, error.Span.Line);
    }

    [Fact]
    public void Tab_indentation_points_at_the_tab()
    {
        var diagnostics = TestFlows.Diagnostics("home:\n  - 가: 나\n\t- 다: 라\n");

        var error = Assert.Single(diagnostics);
        Assert.Equal(("KF001", 3, 1), (error.Code, error.Span.Line, error.Span.Column));
        Assert.Contains("tabs", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_asks_for_home()
    {
        var error = Assert.Single(TestFlows.Diagnostics(""));

        Assert.Equal(("KF006", 1, 1), (error.Code, error.Span.Line, error.Span.Column));
    }

    [Fact]
    public void Two_documents_are_refused()
    {
        var diagnostics = TestFlows.Diagnostics(TestFlows.Header + "home:\n  - 가: 나\n---\nhome: []\n");

        Assert.Contains(diagnostics, d => d.Code == "KF001" && d.Span.Line == 6);
    }

    [Fact]
    public void Every_node_carries_its_position()
    {
        var document = Read("""
            home:
              - 메뉴:
                  say: 오늘의 메뉴
                  buttons:
                    - 피자: 맛있어요
            """);
        var menu = document.Home!.Buttons[0];
        var pizza = menu.Target.Buttons!.Buttons[0];

        Assert.Equal((2, 5), (menu.Label.Span.Line, menu.Label.Span.Column));
        Assert.Equal((3, 12), (menu.Target.Say!.Span.Line, menu.Target.Say.Span.Column));
        Assert.Equal((5, 11), (pizza.Label.Span.Line, pizza.Label.Span.Column));
        Assert.True(pizza.IsLeaf);
    }

    [Fact]
    public void Codes_with_leading_zeros_and_long_numbers_stay_text_in_set()
    {
        var document = Read("""
            home:
              - 가:
                  set: { zip: 01234, order: 1234567890123456789, zero: 0, small: 0.5 }
                  say: 좋아요
            """);
        var set = document.Home!.Buttons[0].Target.Set.ToDictionary(s => s.Name.Value, s => s.Value);

        Assert.Equal("01234", set["zip"].GetString());
        Assert.Equal("1234567890123456789", set["order"].GetString());
        Assert.Equal(0, set["zero"].GetDouble());
        Assert.Equal(0.5, set["small"].GetDouble());
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("True")]
    [InlineData("\"true\"")]
    [InlineData("동의")]
    public void Privacy_consent_takes_only_plain_true_or_false(string written)
    {
        var diagnostics = TestFlows.Diagnostics($"monitor: {{ phone: \"010\" }}\nprivacy_consent: {written}\nhome:\n  - 가: 나\n");

        Assert.Contains(diagnostics, d => d.Code == "KF005" && d.Span.Line == 2 && d.Message.Contains("true or false", StringComparison.Ordinal));
    }

    [Fact]
    public void Sections_left_empty_are_empty_not_errors()
    {
        var diagnostics = TestFlows.Diagnostics(TestFlows.Header + "settings:\nmessages:\nsteps:\n  # 나중에\nhome:\n  - 가: 나\n");

        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Script_error_after_leading_blank_lines_in_a_block_points_at_the_right_line()
    {
        var diagnostics = TestFlows.Diagnostics(TestFlows.Header + "home:\n  - 가:\n      js: |\n\n        vars.a = 1;\n        vars.b = (;\n      say: 나\n");

        var error = Assert.Single(diagnostics, d => d.Code == "KF016");
        Assert.Equal((9, 19), (error.Span.Line, error.Span.Column));
    }
}
