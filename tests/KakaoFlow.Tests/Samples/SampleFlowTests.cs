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
    public void Every_sample_compiles_with_no_diagnostic_at_all(string flow)
    {
        var compilation = KakaoFlow.Cli.FlowLocator.Compile(KakaoFlow.Tests.Support.TestFlows.Compiler, RepoPaths.Full(flow));

        Assert.True(compilation.Diagnostics.Count == 0, string.Join("\n", compilation.Diagnostics.Select(d => d.Format())));
        Assert.True(compilation.Success);
    }

    [Theory]
    [MemberData(nameof(SampleFlows))]
    public void Samples_link_only_to_https(string flow)
    {
        var text = File.ReadAllText(RepoPaths.Full(flow));

        Assert.DoesNotContain("http://", text, StringComparison.Ordinal);
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

    private static FlowDocument Load(string flow)
    {
        var bag = new DiagnosticBag();
        var document = FlowReader.Read(new YamlSourceText(flow, File.ReadAllText(RepoPaths.Full(flow))), bag);
        Assert.Empty(bag.Items);
        return document!;
    }
}
