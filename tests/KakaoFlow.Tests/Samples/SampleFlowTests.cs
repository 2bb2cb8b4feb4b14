using KakaoFlow.Diagnostics;
using KakaoFlow.Model;
using KakaoFlow.Yaml;

namespace KakaoFlow.Tests.Samples;

/// <summary>The sample bots under flows/ load with the real loader and keep the sample rules.</summary>
public sealed class SampleFlowTests
{
    public static TheoryData<string> SampleFlows() => [.. RepoPaths.SampleFlows()];

    [Theory]
    [MemberData(nameof(SampleFlows))]
    public void Every_sample_loads_without_diagnostics(string flow)
    {
        var bag = new DiagnosticBag();

        var document = FlowReader.Read(new YamlSourceText(flow, File.ReadAllText(RepoPaths.Full(flow))), bag);

        Assert.True(bag.Items.Count == 0, string.Join("\n", bag.Items));
        Assert.NotNull(document);
        Assert.NotNull(document.Home);
    }

    [Theory]
    [MemberData(nameof(SampleFlows))]
    public void Every_sample_keeps_the_sample_rules(string flow)
    {
        var document = Load(flow);

        Assert.Empty(SampleRules.Check(document));
    }

    [Fact]
    public void The_pizza_sample_covers_the_design_example()
    {
        var flow = Load(Path.Combine("flows", "pizza", "flow.yaml"));
        var steps = flow.Steps.ToDictionary(s => s.Name.Value, s => s.Step);

        Assert.Equal("피자나라", flow.Name?.Value);
        Assert.Equal("010-1234-5678", flow.MonitorPhone?.Value);
        Assert.True(flow.PrivacyConsent?.Value);

        var hours = Assert.Single(flow.Home!.Buttons, b => b.Label.Value == "영업 시간");
        Assert.True(hours.IsLeaf);

        var pizzas = steps["menu"].Buttons!.Buttons.Where(b => b.Target.Set.Any(s => s.Name.Value == "item")).ToList();
        Assert.True(pizzas.Count >= 3, $"{pizzas.Count} pizzas");
        Assert.All(pizzas, p => Assert.Equal(["item", "price"], p.Target.Set.Select(s => s.Name.Value).Order()));
        Assert.All(pizzas, p => Assert.Equal(System.Text.Json.JsonValueKind.Number, p.Target.Set.Single(s => s.Name.Value == "price").Value.ValueKind));
        Assert.All(pizzas, p => Assert.Equal("size", p.Target.Goto?.Value));
        Assert.NotNull(steps["menu"].Photo?.Width);
        Assert.NotNull(steps["menu"].Link);

        var input = steps["address"].Input!;
        Assert.Equal("address", input.Save?.Value);
        Assert.Equal("value.length >= 5", input.Check?.Text);
        Assert.False(string.IsNullOrWhiteSpace(input.Retry?.Text));
        Assert.Equal("confirm", input.Next?.Value);

        var confirm = steps["confirm"].Say!.Text;
        Assert.All(["{{item}}", "{{size}}", "{{address}}", "{{price}}"], v => Assert.Contains(v, confirm, StringComparison.Ordinal));

        // Every keyboard past Home has a way back (처음으로, or 취소 / 동의하지 않아요 that go home).
        var keyboards = flow.Steps.Select(s => s.Step.Buttons).OfType<ButtonList>().ToList();
        Assert.All(keyboards, k => Assert.Contains(k.Buttons, b => b.Target.Goto?.Value == "home"));
        Assert.True(keyboards.Count(k => k.Buttons.Any(b => b.Label.Value == "처음으로")) >= 3);
    }

    [Fact]
    public void The_faq_sample_is_three_keyboards_deep_and_asks_for_an_order_number()
    {
        var flow = Load(Path.Combine("flows", "faq", "flow.yaml"));

        Assert.True(SampleRules.ButtonDepth(flow) >= 4, $"depth {SampleRules.ButtonDepth(flow)}");
        var input = Assert.Single(flow.Steps, s => s.Step.Input?.Save?.Value == "order_no").Step.Input!;
        Assert.Equal(@"/^\d{8}$/.test(value)", input.Check?.Text);
        Assert.False(string.IsNullOrWhiteSpace(input.Retry?.Text));
    }

    [Fact]
    public void The_sample_rules_find_each_kind_of_mistake()
    {
        const string yaml = """
            name: 틀린 봇
            privacy_consent: false
            home:
              - 메뉴: { say: "{{item}} 있어요", goto: nowhere }
              - 메뉴: 두 번째
              - 사진:
                  photo: { url: "http://example.com/a.jpg", width: 10, height: 10 }
                  link: { label: 보기, url: /relative }
              - 주소:
                  input: { save: address }
                  buttons: [{ 예: 네 }]
            steps:
              lonely: 아무도 안 와요
            """;
        var bag = new DiagnosticBag();
        var flow = FlowReader.Read(new YamlSourceText("bad.yaml", yaml), bag)!;

        Assert.Empty(bag.Items);
        Assert.Equal(
            [
                "no monitor.phone",
                "privacy_consent is not true",
                "home: label '메뉴' twice on one keyboard",
                "home > 메뉴 goto: unknown step 'nowhere'",
                "home > 사진 photo: 'http://example.com/a.jpg' is not an absolute https URL",
                "home > 사진 link: '/relative' is not an absolute https URL",
                "home > 주소: more than one of buttons, input and goto",
                "home > 주소: input without next",
                "step 'lonely' is not reachable from home",
                "home > 메뉴 say: variable 'item' is never set",
            ],
            SampleRules.Check(flow));
    }

    [Fact]
    public void The_sample_rules_count_long_texts()
    {
        var yaml = $"home:\n  - 긴 글: {new string('가', 1001)}\n  - 딱 맞는 글: {new string('가', 1000)}\n";
        var flow = FlowReader.Read(new YamlSourceText("long.yaml", yaml), new DiagnosticBag())!;

        Assert.Contains("home > 긴 글 say: 1001 characters", SampleRules.Check(flow));
        Assert.DoesNotContain(SampleRules.Check(flow), p => p.Contains("딱 맞는 글", StringComparison.Ordinal));
    }

    private static FlowDocument Load(string flow)
    {
        var bag = new DiagnosticBag();
        var document = FlowReader.Read(new YamlSourceText(flow, File.ReadAllText(RepoPaths.Full(flow))), bag);
        Assert.Empty(bag.Items);
        return document!;
    }
}
