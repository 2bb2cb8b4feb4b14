using System.Text;

namespace KakaoFlow.Host.Tests.Support;

/// <summary>Flows written for these tests (Korean, as bot owners write them).</summary>
internal static class Flows
{
    public const string Header = """
        name: 테스트
        monitor: { phone: "010-0000-0000" }
        privacy_consent: true

        """;

    public const string Pizza = """
        name: 피자나라
        monitor: { phone: "010-1234-5678" }
        privacy_consent: true
        """ + "\n" + PizzaFlow.Body;

    /// <summary>A chain s1 → s2 → … → s40 advanced by "다음": each reply names the step reached, so lost updates show.</summary>
    public static string Chain(int length)
    {
        var yaml = new StringBuilder(Header);
        yaml.Append("home:\n  - 다음: { goto: s1 }\nsteps:\n");
        for (var i = 1; i <= length; i++)
        {
            var next = Math.Min(i + 1, length);
            yaml.Append($"  s{i}:\n    say: \"{i}번째\"\n    buttons:\n      - 다음: {{ goto: s{next} }}\n");
        }

        return yaml.ToString();
    }

    /// <summary>A counter kept by a hook (needs a script compiler).</summary>
    public const string Counter = Header + """
        home:
          - 하나 더:
              js: "vars.count = (vars.count || 0) + 1"
              say: "{{count}}"
        """;

    public const string Broken = Header + """
        home:
          - 가기: { goto: nowhere }
        """;
}
