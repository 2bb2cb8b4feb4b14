using KakaoFlow.Introspection;
using KakaoFlow.Runtime;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Graph;

/// <summary>The read-only model of a compiled flow and its Mermaid and Graphviz text, checked to the letter.</summary>
public sealed class GraphTests
{
    internal const string SmallFlow = TestFlows.Header + """
        home:
          - 주문:
              say: 무엇을 드릴까요?
              buttons:
                - 피자: { goto: address }
                - 처음으로: { goto: home }
          - 안내: 매일 영업해요.
        steps:
          address:
            say: 주소를 입력해 주세요.
            input:
              save: address
              next: done
          done:
            js: |
              if (vars.address.length < 2) return goto('address');
            say: "{{address|으로}} 보낼게요."
        """;

    [Fact]
    public void Mermaid_text_of_a_small_flow()
    {
        var text = MermaidGraph.Write(FlowInfo.Of(TestFlows.CompileOk(SmallFlow)));

        Assert.Equal("""
            flowchart TD
                home(["home"])
                s1("home/주문")
                s2("home/주문/피자")
                s3("home/주문/처음으로")
                s4("home/안내")
                s5[/"address"/]
                s6["done"]
                home -->|"주문"| s1
                home -->|"안내"| s4
                s1 -->|"피자"| s2
                s1 -->|"처음으로"| s3
                s2 --> s5
                s3 --> home
                s5 -->|"input: address"| s6
                s6 -.->|"js"| s5

            """, text);
    }

    [Fact]
    public void Dot_text_of_a_small_flow()
    {
        var text = DotGraph.Write(FlowInfo.Of(TestFlows.CompileOk(SmallFlow)));

        Assert.Equal("""
            digraph "test" {
                node [shape=box, fontname="Noto Sans CJK KR"];
                edge [fontname="Noto Sans CJK KR"];
                home [label="home", shape=oval];
                s1 [label="home/주문", style=rounded];
                s2 [label="home/주문/피자", style=rounded];
                s3 [label="home/주문/처음으로", style=rounded];
                s4 [label="home/안내", style=rounded];
                s5 [label="address", shape=parallelogram];
                s6 [label="done"];
                home -> s1 [label="주문"];
                home -> s4 [label="안내"];
                s1 -> s2 [label="피자"];
                s1 -> s3 [label="처음으로"];
                s2 -> s5;
                s3 -> home;
                s5 -> s6 [label="input: address"];
                s6 -> s5 [label="js", style=dashed];
            }

            """, text);
    }

    [Fact]
    public void The_model_names_steps_as_sessions_do_and_orders_them_as_written()
    {
        var info = FlowInfo.Of(TestFlows.CompileOk(SmallFlow));

        Assert.Equal(["home", "home/주문", "home/주문/피자", "home/주문/처음으로", "home/안내", "address", "done"], info.Steps.Select(s => s.Id));
        Assert.Equal([StepKind.Home, StepKind.Inline, StepKind.Inline, StepKind.Inline, StepKind.Inline, StepKind.Named, StepKind.Named], info.Steps.Select(s => s.Kind));
        Assert.Equal(TurnKind.Text, info.FindStep("address")!.Input);
        Assert.True(info.FindStep("done")!.HasHook);
        Assert.Equal(new TransitionInfo("address", "done", TransitionKind.InputNext, "address"), info.Transitions[6]);
        Assert.Equal(new TransitionInfo("done", "address", TransitionKind.Hook, null), info.Transitions[7]);
    }

    [Fact]
    public void Hook_targets_that_name_no_step_get_no_edge_and_each_target_one()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - 가기:
                  js: |
                    if (vars.a) return goto('later');
                    if (vars.b) return goto("later");
                    if (vars.c) return goto('nowhere');
                    buttons(['예'], { next: 'home' });
                  say: 안녕
            steps:
              later:
                say: 나중에
            """);

        var hooks = FlowInfo.Of(flow).Transitions.Where(t => t.Kind == TransitionKind.Hook).ToList();

        Assert.Equal([new("home/가기", "later", TransitionKind.Hook, null), new("home/가기", "home", TransitionKind.Hook, null)], hooks);
    }

    [Theory]
    [InlineData("피자 \"특가\"", "\"피자 #quot;특가#quot;\"")]
    [InlineData("[세트] (2인) {할인}", "\"[세트] (2인) {할인}\"")]
    [InlineData("A|B <b>&amp; #1 `x`", "\"A#124;B #lt;b#gt;#amp;amp; #35;1 #96;x#96;\"")]
    [InlineData("줄\n바꿈", "\"줄 바꿈\"")]
    public void Mermaid_labels_are_quoted_and_escaped(string label, string expected) =>
        Assert.Equal(expected, MermaidGraph.Quote(label));

    [Theory]
    [InlineData("피자 \"특가\"", "\"피자 \\\"특가\\\"\"")]
    [InlineData("C:\\메뉴", "\"C:\\\\메뉴\"")]
    [InlineData("줄\n바꿈\t탭", "\"줄\\n바꿈 탭\"")]
    public void Dot_labels_are_quoted_and_escaped(string label, string expected) =>
        Assert.Equal(expected, DotGraph.Quote(label));

    [Fact]
    public void Labels_with_syntax_characters_stay_on_their_own_lines()
    {
        var flow = TestFlows.CompileOk(TestFlows.Header + """
            home:
              - "주문 \"특가\" [1] | <b> #2 -->": 좋아요
            """);

        var text = MermaidGraph.Write(FlowInfo.Of(flow));

        Assert.Equal("""
            flowchart TD
                home(["home"])
                s1("home/주문 #quot;특가#quot; [1] #124; #lt;b#gt; #35;2 --#gt;")
                home -->|"주문 #quot;특가#quot; [1] #124; #lt;b#gt; #35;2 --#gt;"| s1

            """, text);
    }

    [Fact]
    public void Node_ids_and_text_are_the_same_on_every_compile_of_every_sample()
    {
        foreach (var sample in RepoPaths.SampleFlows())
        {
            var first = Draw(sample);
            var second = Draw(sample);

            Assert.Equal(first, second);
        }

        static string Draw(string flowFile) =>
            MermaidGraph.Write(FlowInfo.Of(TestFlows.Compiler.Compile(KakaoFlow.Compiling.FlowSource.FromDisk(RepoPaths.Full(flowFile))).Flow!));
    }

    [Fact]
    public void Every_step_of_every_sample_is_a_node_and_every_edge_joins_two_nodes()
    {
        foreach (var sample in RepoPaths.SampleFlows())
        {
            var flow = TestFlows.Compiler.Compile(KakaoFlow.Compiling.FlowSource.FromDisk(RepoPaths.Full(sample))).Flow!;
            var info = FlowInfo.Of(flow);

            Assert.Equal(flow.Steps.Count + 1, info.Steps.Length);
            Assert.Equal(info.Steps.Length, info.Steps.Select(s => s.NodeId).Distinct().Count());
            Assert.All(info.Transitions, t => Assert.NotNull(info.FindStep(t.To)));
            var buttons = flow.Steps.Values.Append(flow.Home).Sum(s => s.Buttons?.Length ?? 0);
            Assert.Equal(buttons, info.Transitions.Count(t => t.Kind == TransitionKind.Button));
        }
    }
}
