using System.Text.Json;
using KakaoFlow.Model;
using NJsonSchema.Validation;

namespace KakaoFlow.Tests.Schema;

/// <summary>
/// schema/flow.schema.json and schema/scenario.schema.json: the samples pass, typical mistakes fail with
/// the right kind of error at the right place, and every key explains itself in an editor.
/// </summary>
public sealed class FlowSchemaTests
{
    private const string MinimalHome = "home:\n  - 영업 시간: 11시부터 22시까지\n";

    public static TheoryData<string> SampleFlows() => [.. RepoPaths.SampleFlows()];

    [Fact]
    public void The_samples_include_pizza_and_faq()
    {
        Assert.Contains(Path.Combine("flows", "pizza", "flow.yaml"), RepoPaths.SampleFlows());
        Assert.Contains(Path.Combine("flows", "faq", "flow.yaml"), RepoPaths.SampleFlows());
    }

    [Theory]
    [MemberData(nameof(SampleFlows))]
    public async Task Every_sample_flow_validates(string flow)
    {
        var errors = await SchemaAssert.ValidateFlowAsync(File.ReadAllText(RepoPaths.Full(flow)));

        Assert.True(errors.Count == 0, $"{flow}:\n{SchemaAssert.Describe(errors)}");
    }

    [Theory]
    [MemberData(nameof(SampleFlows))]
    public void Every_sample_flow_names_the_schema_on_its_first_line(string flow)
    {
        var firstLine = File.ReadLines(RepoPaths.Full(flow)).First();

        Assert.Equal("# yaml-language-server: $schema=../../schema/flow.schema.json", firstLine);
    }

    [Fact]
    public async Task The_design_example_validates()
    {
        const string yaml = """
            name: 피자나라
            monitor:
              phone: "010-1234-5678"
            privacy_consent: true
            settings:
              context_ttl: 10m
              error_limit_per_day: 3000
              hook_timeout: 1s
              retention: 30d
              hook_max_statements: 10000
              hook_memory_mb: 4
              hook_max_recursion: 64
            messages:
              fallback: 아래 버튼 중에서 선택해 주세요.
              error: 일시적인 오류가 발생했어요.
              stopped: 지금은 서비스를 잠시 쉬고 있어요.
              home: 처음 화면이에요.
              retry: 입력한 내용을 다시 확인해 주세요.
            scripts: [orders.js]
            home:
              - 영업 시간: 매일 11시부터 22시까지 영업합니다.
              - 메뉴 보기:
                  say: 오늘의 메뉴입니다.
                  photo: { url: "https://example.com/menu.jpg", width: 640, height: 480 }
                  link: { label: 전체 메뉴판, url: "https://example.com/menu" }
                  buttons:
                    - 불고기 피자:
                        set: { item: 불고기 피자, price: 18000, tags: [hot, new], extra: { cheese: true } }
                        goto: size
                    - 처음으로: { goto: home }
            steps:
              size:
                say: "{{item}}의 크기를 골라 주세요."
                js: |
                  vars.count = (vars.count || 0) + 1;
                buttons:
                  - 레귤러: { set: { size: 레귤러 }, goto: address }
              address:
                say: 배달 받을 주소를 입력해 주세요.
                input: { save: address, type: text, check: "value.length >= 5", retry: 다시요, next: confirm }
              confirm: "{{item}} {{size}}를 {{address}}(으)로 보낼까요?"
            """;

        var errors = await SchemaAssert.ValidateFlowAsync(yaml);

        Assert.True(errors.Count == 0, SchemaAssert.Describe(errors));
    }

    [Fact]
    public async Task Text_positions_accept_what_YAML_reads_as_numbers_and_booleans()
    {
        // The owner wrote texts; YAML's core schema makes some of them numbers or booleans.
        const string yaml = """
            name: 1.0
            messages: { fallback: true, home: 42 }
            home:
              - yes: no
              - 1.0: 2
              - true: false
              - 예:
                  say: 3.5
                  link: { label: 1, url: "https://example.com" }
                  goto: 7
            steps:
              "7": 아니요
            """;

        var errors = await SchemaAssert.ValidateFlowAsync(yaml);

        Assert.True(errors.Count == 0, SchemaAssert.Describe(errors));
    }

    public static TheoryData<string, string, ValidationErrorKind, string> BadFlows() => new()
    {
        {
            "unknown key at the top",
            MinimalHome + "colour: red\n",
            ValidationErrorKind.NoAdditionalPropertiesAllowed, "#/colour"
        },
        {
            "unknown key in a named step",
            MinimalHome + "steps:\n  size:\n    say: 크기\n    sya: 오타\n",
            ValidationErrorKind.NoAdditionalPropertiesAllowed, "#/steps.size.sya"
        },
        {
            "unknown key in an inline step",
            "home:\n  - 메뉴:\n      say: 메뉴\n      button: [a]\n",
            ValidationErrorKind.NoAdditionalPropertiesAllowed, "#/home[0].메뉴.button"
        },
        {
            "photo width as text",
            "home:\n  - 메뉴:\n      photo: { url: \"https://example.com/a.jpg\", width: wide, height: 480 }\n",
            ValidationErrorKind.IntegerExpected, "#/home[0].메뉴.photo.width"
        },
        {
            "photo without height",
            "home:\n  - 메뉴:\n      photo: { url: \"https://example.com/a.jpg\", width: 640 }\n",
            ValidationErrorKind.PropertyRequired, "#/home[0].메뉴.photo.height"
        },
        {
            "photo url that is not absolute",
            "home:\n  - 메뉴:\n      photo: { url: /images/a.jpg, width: 640, height: 480 }\n",
            ValidationErrorKind.PatternMismatch, "#/home[0].메뉴.photo.url"
        },
        {
            "button item that is a list",
            "home:\n  - [메뉴, 영업 시간]\n",
            ValidationErrorKind.ObjectExpected, "#/home[0]"
        },
        {
            "button item with two labels",
            "home:\n  - 메뉴: 오늘의 메뉴\n    영업 시간: 11시부터\n",
            ValidationErrorKind.TooManyProperties, "#/home[0]"
        },
        {
            "button without a reply",
            "home:\n  - 메뉴:\n",
            ValidationErrorKind.NoTypeValidates, "#/home[0].메뉴"
        },
        {
            "empty buttons",
            "home: []\n",
            ValidationErrorKind.TooFewItems, "#/home"
        },
        {
            "bad duration",
            MinimalHome + "settings:\n  context_ttl: 10 minutes\n",
            ValidationErrorKind.PatternMismatch, "#/settings.context_ttl"
        },
        {
            "duration without a unit",
            MinimalHome + "settings:\n  hook_timeout: 500\n",
            ValidationErrorKind.StringExpected, "#/settings.hook_timeout"
        },
        {
            "error limit of zero",
            MinimalHome + "settings:\n  error_limit_per_day: 0\n",
            ValidationErrorKind.NumberTooSmall, "#/settings.error_limit_per_day"
        },
        {
            "unknown setting",
            MinimalHome + "settings:\n  context_tll: 10m\n",
            ValidationErrorKind.NoAdditionalPropertiesAllowed, "#/settings.context_tll"
        },
        {
            "unknown message",
            MinimalHome + "messages:\n  welcome: 안녕하세요\n",
            ValidationErrorKind.NoAdditionalPropertiesAllowed, "#/messages.welcome"
        },
        {
            "privacy consent written as yes",
            MinimalHome + "privacy_consent: yes\n",
            ValidationErrorKind.BooleanExpected, "#/privacy_consent"
        },
        {
            "input type that is neither text nor photo",
            "home:\n  - 주소:\n      input: { save: address, type: number, next: done }\n",
            ValidationErrorKind.NotInEnumeration, "#/home[0].주소.input.type"
        },
        {
            "input without next",
            "home:\n  - 주소:\n      input: { save: address }\n",
            ValidationErrorKind.PropertyRequired, "#/home[0].주소.input.next"
        },
        {
            "buttons and input on one step",
            "home:\n  - 주소:\n      buttons: [{ 예: 네 }]\n      input: { save: address, next: done }\n",
            ValidationErrorKind.ExcludedSchemaValidates, "#/home[0].주소"
        },
        {
            "say as a list",
            "home:\n  - 메뉴:\n      say: [오늘의, 메뉴]\n",
            ValidationErrorKind.NoTypeValidates, "#/home[0].메뉴.say"
        },
        {
            "script that is not a .js file",
            MinimalHome + "scripts: [orders.ts]\n",
            ValidationErrorKind.PatternMismatch, "#/scripts[0]"
        },
        {
            "no home",
            "name: 피자나라\n",
            ValidationErrorKind.PropertyRequired, "#/home"
        },
    };

    [Theory]
    [MemberData(nameof(BadFlows))]
    public async Task A_bad_flow_fails_with_the_expected_error(string why, string yaml, ValidationErrorKind kind, string path)
    {
        var errors = await SchemaAssert.ValidateFlowAsync(yaml);

        Assert.True(
            SchemaAssert.Flatten(errors).Any(e => e.Kind == kind && e.Path == path),
            $"{why}: expected {kind} at {path}, got:\n{SchemaAssert.Describe(errors)}");
    }

    [Fact]
    public async Task An_unknown_top_key_is_the_only_error()
    {
        var errors = await SchemaAssert.ValidateFlowAsync(MinimalHome + "colour: red\n");

        var error = Assert.Single(errors);
        Assert.Equal(ValidationErrorKind.NoAdditionalPropertiesAllowed, error.Kind);
        Assert.Equal("colour", error.Property);
    }

    [Fact]
    public async Task A_good_scenario_validates()
    {
        const string yaml = """
            name: 불고기 피자 주문
            start: home
            vars: { item: 불고기 피자, price: 18000 }
            turns:
              - user: 메뉴 보기
              - user: 불고기 피자
              - wait: 11m
              - photo: https://example.com/p.jpg
              - as: second-user
              - user: 1.0
              - wait: 1h30m
            """;

        var errors = await SchemaAssert.ValidateScenarioAsync(yaml);

        Assert.True(errors.Count == 0, SchemaAssert.Describe(errors));
    }

    public static TheoryData<string, string, ValidationErrorKind, string> BadScenarios() => new()
    {
        { "a turn with two keys", "turns:\n  - user: 메뉴 보기\n    wait: 11m\n", ValidationErrorKind.TooManyProperties, "#/turns[0]" },
        { "a turn with an unknown key", "turns:\n  - user: 메뉴 보기\n  - usr: 메뉴 보기\n", ValidationErrorKind.NoAdditionalPropertiesAllowed, "#/turns[1].usr" },
        { "an empty turn", "turns:\n  - {}\n", ValidationErrorKind.TooFewProperties, "#/turns[0]" },
        { "a wait that is not a duration", "turns:\n  - wait: 11 minutes\n", ValidationErrorKind.PatternMismatch, "#/turns[0].wait" },
        { "a photo that is not a URL", "turns:\n  - photo: p.jpg\n", ValidationErrorKind.PatternMismatch, "#/turns[0].photo" },
        { "an unknown top key", "turns:\n  - user: 메뉴\nsteps: []\n", ValidationErrorKind.NoAdditionalPropertiesAllowed, "#/steps" },
        { "no turns", "name: 빈 시나리오\n", ValidationErrorKind.PropertyRequired, "#/turns" },
    };

    [Theory]
    [MemberData(nameof(BadScenarios))]
    public async Task A_bad_scenario_fails_with_the_expected_error(string why, string yaml, ValidationErrorKind kind, string path)
    {
        var errors = await SchemaAssert.ValidateScenarioAsync(yaml);

        Assert.True(
            SchemaAssert.Flatten(errors).Any(e => e.Kind == kind && e.Path == path),
            $"{why}: expected {kind} at {path}, got:\n{SchemaAssert.Describe(errors)}");
    }

    [Theory]
    [InlineData("flow.schema.json")]
    [InlineData("scenario.schema.json")]
    [InlineData("ko/flow.schema.json")]
    [InlineData("ko/scenario.schema.json")]
    public void Every_property_has_a_description(string schemaFile)
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(RepoPaths.Schema(schemaFile)));

        Assert.Empty(SchemaAssert.PropertiesWithoutDescription(schema.RootElement));
    }

    [Fact]
    public void The_description_check_finds_a_missing_description()
    {
        using var schema = JsonDocument.Parse("""
            {
              "properties": {
                "a": { "description": "has one" },
                "b": { "type": "string" },
                "c": { "properties": { "d": { "description": " " } }, "additionalProperties": { "type": "string" } }
              }
            }
            """);

        Assert.Equal(
            ["#/properties/b", "#/properties/c", "#/properties/c/properties/d", "#/properties/c/additionalProperties"],
            SchemaAssert.PropertiesWithoutDescription(schema.RootElement));
    }

    [Fact]
    public void The_flow_schema_knows_exactly_the_keys_the_loader_accepts()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.Schema("flow.schema.json")));
        var root = document.RootElement;
        var step = root.GetProperty("definitions").GetProperty("step").GetProperty("properties");

        AssertKeys(FlowReader.TopKeys, root.GetProperty("properties"));
        AssertKeys(FlowReader.MonitorKeys, root.GetProperty("properties").GetProperty("monitor").GetProperty("properties"));
        AssertKeys(FlowReader.SettingKeys, root.GetProperty("properties").GetProperty("settings").GetProperty("properties"));
        AssertKeys(FlowReader.MessageKeys, root.GetProperty("properties").GetProperty("messages").GetProperty("properties"));
        AssertKeys(FlowReader.StepKeys, step);
        AssertKeys(FlowReader.PhotoKeys, step.GetProperty("photo").GetProperty("properties"));
        AssertKeys(FlowReader.LinkKeys, step.GetProperty("link").GetProperty("properties"));
        AssertKeys(FlowReader.InputKeys, step.GetProperty("input").GetProperty("properties"));

        static void AssertKeys(string[] loader, JsonElement properties) =>
            Assert.Equal(loader.Order(StringComparer.Ordinal), properties.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("a: 1", """{"a":1}""")]
    [InlineData("a: -0x1F", """{"a":"-0x1F"}""")]
    [InlineData("a: 0x1F", """{"a":31}""")]
    [InlineData("a: 0o17", """{"a":15}""")]
    [InlineData("a: 01012345678", """{"a":1012345678}""")]
    [InlineData("a: 1.5e3", """{"a":1500}""")]
    [InlineData("a: .inf", """{"a":".inf"}""")]
    [InlineData("a: \"1\"", """{"a":"1"}""")]
    [InlineData("a: '1.0'", """{"a":"1.0"}""")]
    [InlineData("a: !!str 1", """{"a":"1"}""")]
    [InlineData("a: True", """{"a":true}""")]
    [InlineData("a: yes", """{"a":"yes"}""")]
    [InlineData("a: on", """{"a":"on"}""")]
    [InlineData("a: ~", """{"a":null}""")]
    [InlineData("a:", """{"a":null}""")]
    [InlineData("a: NULL", """{"a":null}""")]
    [InlineData("a: ''", """{"a":""}""")]
    [InlineData("a: |\n  1\n", """{"a":"1\n"}""")]
    [InlineData("a: >-\n  true\n", """{"a":"true"}""")]
    [InlineData("1: [2, x, {3: false}]", """{"1":[2,"x",{"3":false}]}""")]
    public void YAML_becomes_JSON_with_the_core_schema(string yaml, string json)
    {
        using var actual = JsonDocument.Parse(YamlToJson.Convert(yaml));

        Assert.Equal(json, JsonSerializer.Serialize(actual.RootElement));
    }
}
