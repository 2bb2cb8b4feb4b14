using System.Globalization;
using System.Text;
using KakaoFlow.Compiling;
using KakaoFlow.Hooks;
using KakaoFlow.Scripting;

namespace KakaoFlow.Benchmarks;

/// <summary>The flows the benchmarks compile and step: a generated 1,000-step flow and a small one with every kind of step.</summary>
internal static class BenchFlows
{
    /// <summary>One bot of <paramref name="steps"/> named steps, 10 per depth, templates, sets, a hook every 50 steps and an input every 100.</summary>
    public static string Large(int steps)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("name: 큰 흐름");
        yaml.AppendLine("monitor: { phone: \"010-0000-0000\" }");
        yaml.AppendLine("privacy_consent: true");
        yaml.AppendLine("home:");
        yaml.AppendLine("  - 영업 시간: 매일 11시부터 22시까지 영업합니다.");
        for (var i = 0; i < 10 && i < steps; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - 메뉴 {i}: {{ goto: s{i} }}\n");
        }

        yaml.AppendLine("steps:");
        for (var i = 0; i < steps; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  s{i}:\n");
            yaml.Append(CultureInfo.InvariantCulture, $"    set: {{ last: s{i}, n{i % 7}: {i} }}\n");
            if (i % 50 == 25)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"    js: \"vars.count = (vars.count || 0) + {i};\"\n");
            }

            yaml.Append(CultureInfo.InvariantCulture, $"    say: \"{{{{last}}}} 단계입니다. 지금까지 {{{{n{i % 7}}}}}번을 지나왔어요.\"\n");
            if (i % 100 == 99)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"    input: {{ save: v{i}, check: \"value.length >= 2\", retry: 다시 입력해 주세요., next: s{(i + 1) % steps} }}\n");
                continue;
            }

            yaml.AppendLine("    buttons:");
            for (var b = 1; b <= 3; b++)
            {
                var target = (i * 10 + b) % steps;
                yaml.Append(CultureInfo.InvariantCulture, $"      - 다음 {b}: {{ goto: s{target} }}\n");
            }

            yaml.AppendLine("      - 처음으로: { goto: home }");
        }

        return yaml.ToString();
    }

    /// <summary>A leaf, a branch, a plain step, the same step with a hook, and an input with a check.</summary>
    public const string Small = """
        name: 벤치
        monitor: { phone: "010-0000-0000" }
        privacy_consent: true
        home:
          - 영업 시간: 매일 11시부터 22시까지 영업합니다.
          - 메뉴:
              say: 오늘의 메뉴입니다.
              buttons:
                - 피자: { goto: plain }
                - 처음으로: { goto: home }
          - 보통: { goto: plain }
          - 훅: { goto: hooked }
          - 주소: { goto: address }
        steps:
          plain:
            set: { item: 피자, price: 18000 }
            say: "{{item}} {{price}}원, 크기를 골라 주세요."
            buttons:
              - 라지: 좋아요.
              - 처음으로: { goto: home }
          hooked:
            set: { item: 피자, price: 18000 }
            js: "vars.total = vars.price + 4000;"
            say: "{{item}} {{price}}원, 크기를 골라 주세요."
            buttons:
              - 라지: 좋아요.
              - 처음으로: { goto: home }
          address:
            say: 주소를 입력해 주세요.
            input: { save: address, check: "value.length >= 5", next: done }
          done:
            say: "{{address}}(으)로 보낼게요."
        """;

    public static CompiledFlow Compile(string botId, string yaml)
    {
        var compilation = new FlowCompiler(new JintScriptCompiler()).Compile(new FlowSource(botId, "flow.yaml", yaml, _ => null));
        return compilation.Flow ?? throw new InvalidOperationException(
            "bench flow does not compile: " + string.Join("; ", compilation.Diagnostics.Select(d => d.ToString())));
    }
}
