using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Scripting;
using static KakaoFlow.Tests.Scripting.ScriptKit;

namespace KakaoFlow.Tests.Scripting;

/// <summary>Each host function a hook sees.</summary>
public sealed class HostApiTests
{
    [Fact]
    public void Vars_are_read_and_written_as_json()
    {
        var vars = Vars(("item", Json("\"불고기 피자\"")), ("price", Json("18000")), ("extras", Json("[\"치즈\"]")), ("old", Json("true")));

        var outcome = RunHook(
            "vars.total = vars.price * 2;\n" +
            "vars.extras.push('올리브');\n" +
            "vars.order = { item: vars.item, at: undefined, ok: true, n: null };\n" +
            "delete vars.old;",
            Context(vars));

        Assert.Null(outcome.Failure);
        Assert.Equal("불고기 피자", outcome.Vars["item"].GetString());
        Assert.Equal("18000", outcome.Vars["price"].GetRawText());
        Assert.Equal("36000", outcome.Vars["total"].GetRawText());
        Assert.Equal("[\"치즈\",\"올리브\"]", outcome.Vars["extras"].GetRawText());
        Assert.Equal("불고기 피자", outcome.Vars["order"].GetProperty("item").GetString());
        Assert.False(outcome.Vars["order"].TryGetProperty("at", out _));
        Assert.False(outcome.Vars.ContainsKey("old"));
        Assert.Same(StringComparer.Ordinal, outcome.Vars.KeyComparer);
    }

    [Fact]
    public void Untouched_vars_keep_their_json()
    {
        var vars = Vars(("price", Json("18000.50")), ("name", Json("\"김철수\"")));

        var outcome = RunHook("vars.seen = vars.price + 1;", Context(vars));

        Assert.Equal("18000.50", outcome.Vars["price"].GetRawText());
        Assert.Equal("김철수", outcome.Vars["name"].GetString());
    }

    [Fact]
    public void Vars_that_json_cannot_hold_fail_clearly()
    {
        var cycle = RunHook("const a = {}; a.self = a;\nvars.a = a;");
        var big = RunHook("vars.big = '가'.repeat(300000);");

        Assert.Equal(HookFailureKind.ScriptError, cycle.Failure?.Kind);
        Assert.Equal(HookFailureKind.Limit, big.Failure?.Kind);
    }

    [Fact]
    public void Input_is_the_turn_or_null()
    {
        var text = RunHook("vars.t = input.type; vars.c = input.content;", Context(input: Turn.Text("서울시 강남구")));
        var photo = RunHook("vars.t = input.type; vars.c = input.content;", Context(input: Turn.Photo("https://example.com/a.jpg")));
        var none = RunHook("vars.none = input === null;");

        Assert.Equal("text", text.Vars["t"].GetString());
        Assert.Equal("서울시 강남구", text.Vars["c"].GetString());
        Assert.Equal("photo", photo.Vars["t"].GetString());
        Assert.Equal("https://example.com/a.jpg", photo.Vars["c"].GetString());
        Assert.True(none.Vars["none"].GetBoolean());
    }

    [Theory]
    [InlineData("서울시 강남구 테헤란로", true)]
    [InlineData("서울", false)]
    public void Check_sees_value_and_gives_truthiness(string typed, bool expected)
    {
        var kit = new ScriptKit();
        var check = kit.Check("value.length >= 5");

        var outcome = kit.Build().Run(check, Context(input: Turn.Text(typed)) with { Value = typed });

        Assert.Null(outcome.Failure);
        Assert.Equal(expected, outcome.Truthy);
    }

    [Fact]
    public void Check_can_use_shared_functions()
    {
        var kit = new ScriptKit();
        kit.Shared("function 전화번호인가(s) {\n  return /^01[0-9]-?\\d{3,4}-?\\d{4}$/.test(s);\n}");
        var check = kit.Check("전화번호인가(value)");
        var program = kit.Build();

        Assert.True(program.Run(check, Context() with { Value = "010-1234-5678" }).Truthy);
        Assert.False(program.Run(check, Context() with { Value = "안녕하세요" }).Truthy);
    }

    [Fact]
    public void Say_replaces_the_text_and_adds_lines()
    {
        var outcome = RunHook("say('주문을 확인할게요.');\nsay(`합계: ${18000 * 2}원`);");

        Assert.Equal("주문을 확인할게요.\n합계: 36000원", outcome.Say);
    }

    [Fact]
    public void Reply_text_is_read_and_written()
    {
        var untouched = RunHook("vars.before = reply.text;");
        var outcome = RunHook("say('첫 줄');\nreply.text = reply.text + ' 끝';");
        var reset = RunHook("say('무시');\nreply.text = null;");

        Assert.Null(untouched.Say);
        Assert.Equal("null", untouched.Vars["before"].GetRawText());
        Assert.Equal("첫 줄 끝", outcome.Say);
        Assert.Null(reset.Say);
    }

    [Fact]
    public void Photo_sets_the_reply_photo()
    {
        var outcome = RunHook("photo('https://example.com/메뉴.jpg', 640, 480);");
        var bad = RunHook("photo('menu.jpg', 640);");

        Assert.Equal(new ReplyPhoto("https://example.com/메뉴.jpg", 640, 480), outcome.Photo);
        Assert.Equal(HookFailureKind.ScriptError, bad.Failure?.Kind);
    }

    [Fact]
    public void Link_sets_the_reply_link()
    {
        var outcome = RunHook("link('전체 메뉴판', 'https://example.com/menu');");
        var bad = RunHook("link('', 'javascript:alert(1)');");

        Assert.Equal(new ReplyLink("전체 메뉴판", "https://example.com/menu"), outcome.Link);
        Assert.Equal(HookFailureKind.ScriptError, bad.Failure?.Kind);
    }

    [Fact]
    public void Buttons_make_a_dynamic_choice()
    {
        var outcome = RunHook("buttons(['레귤러', '라지', 3], { save: 'size', next: 'address' });");
        var plain = RunHook("buttons(['예', '아니요']);");

        Assert.Equal(new DynamicChoice(["레귤러", "라지", "3"], "size", "address"), outcome.Buttons);
        Assert.Equal(new DynamicChoice(["예", "아니요"], null, null), plain.Buttons);
    }

    [Theory]
    [InlineData("buttons([]);")]
    [InlineData("buttons('레귤러');")]
    [InlineData("buttons(['라지', '라지']);")]
    [InlineData("buttons(['라지', '  ']);")]
    [InlineData("buttons(['라지'], { sav: 'size' });")]
    public void Bad_buttons_are_script_errors(string code)
    {
        var outcome = RunHook(code);

        Assert.Equal(HookFailureKind.ScriptError, outcome.Failure?.Kind);
    }

    [Fact]
    public void Goto_requests_a_redirect()
    {
        var outcome = RunHook("if (!vars.address) {\n  return goto('address');\n}\nsay('도달하지 않음');");
        var home = RunHook("goto('home');");

        Assert.Equal("address", outcome.Goto);
        Assert.Null(outcome.Say);
        Assert.Equal("home", home.Goto);
        Assert.Equal(HookFailureKind.ScriptError, RunHook("goto();").Failure?.Kind);
    }

    [Fact]
    public void Data_is_a_per_bot_json_store()
    {
        var store = new MemoryDataStore();
        store.Set("other-bot", "stock", Json("99"));
        var services = new HookServices(store, null);

        var first = RunHook(
            "data.set('stock', { 불고기: 3, 콤비: 0 });\n" +
            "data.set('orders', (data.get('orders') ?? 0) + 1);\n" +
            "data.set('temp', '지울 값');\n" +
            "vars.deleted = data.delete('temp');\n" +
            "vars.missing = data.get('없음') === undefined;",
            Context(services: services));
        var second = RunHook("vars.keys = data.keys();\nvars.stock = data.get('stock').불고기;\nvars.orders = data.get('orders');", Context(services: services));

        Assert.Null(first.Failure);
        Assert.True(first.Vars["deleted"].GetBoolean());
        Assert.True(first.Vars["missing"].GetBoolean());
        Assert.Equal(["orders", "stock"], second.Vars["keys"].EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(3, second.Vars["stock"].GetInt32());
        Assert.Equal(1, second.Vars["orders"].GetInt32());
        Assert.Equal("99", store.Get("other-bot", "stock")!.Value.GetRawText());
    }

    [Fact]
    public void Data_errors_are_catchable_script_errors()
    {
        var failing = new HookServices(new FailingDataStore(), null);

        var caught = RunHook("try { data.get('x'); } catch (e) { vars.error = e.message; }", Context(services: failing));
        var uncaught = RunHook("data.set('x', 1);", Context(services: failing));
        var noStore = RunHook("data.get('x');");
        var badValue = RunHook("data.set('x', undefined);", Context(services: new HookServices(new MemoryDataStore(), null)));

        Assert.Contains("디스크 오류", caught.Vars["error"].GetString(), StringComparison.Ordinal);
        Assert.Equal(HookFailureKind.ScriptError, uncaught.Failure?.Kind);
        Assert.Equal(HookFailureKind.ScriptError, noStore.Failure?.Kind);
        Assert.Equal(HookFailureKind.ScriptError, badValue.Failure?.Kind);
    }

    [Fact]
    public void Now_is_the_turn_time_in_seoul()
    {
        var outcome = RunHook("vars.now = now();\nvars.hour = new Date().getHours();\nvars.same = Date.now() === Date.parse(now());");

        Assert.Equal("2026-03-01T09:30:00.000+09:00", outcome.Vars["now"].GetString());
        Assert.Equal(9, outcome.Vars["hour"].GetInt32());
        Assert.True(outcome.Vars["same"].GetBoolean());
    }

    [Fact]
    public void Log_goes_to_the_host_with_bot_and_location()
    {
        var log = new ListLog();

        var outcome = RunHook("const 주문 = { item: '피자', n: 2 };\nlog('주문 접수', 주문, 3);", Context(services: new HookServices(null, log)));

        Assert.Null(outcome.Failure);
        var line = Assert.Single(log.Lines);
        Assert.Equal(BotId, line.Bot);
        Assert.Equal(FlowFile, line.Location.File);
        Assert.Equal(11, line.Location.Line);
        Assert.Equal("주문 접수 {\"item\":\"피자\",\"n\":2} 3", line.Message);
    }

    [Fact]
    public void Log_is_capped_per_run()
    {
        var log = new ListLog();

        RunHook("for (let i = 0; i < 1000; i++) { log('반복', i); }", Context(services: new HookServices(null, log)));

        Assert.Equal(21, log.Lines.Count);
    }

    [Fact]
    public void Shared_scripts_are_visible_to_every_hook()
    {
        var kit = new ScriptKit();
        kit.Shared("const 가격표 = { 불고기: 18000, 콤비: 20000 };\nfunction 가격(item) { return 가격표[item] ?? 0; }");
        kit.Shared("function 합계(items) { return items.reduce((s, i) => s + 가격(i), 0); }", "flows/pizza/cart.js");
        var one = kit.Hook("vars.price = 가격('불고기');");
        var two = kit.Hook("vars.total = 합계(['불고기', '콤비']);");
        var program = kit.Build();

        Assert.Equal(18000, program.Run(one, Context()).Vars["price"].GetInt32());
        Assert.Equal(38000, program.Run(two, Context()).Vars["total"].GetInt32());
    }

    [Fact]
    public void Hook_may_return_early()
    {
        var outcome = RunHook("vars.a = 1;\nreturn;\nvars.b = 2;");

        Assert.Null(outcome.Failure);
        Assert.True(outcome.Vars.ContainsKey("a"));
        Assert.False(outcome.Vars.ContainsKey("b"));
    }

    [Fact]
    public void Program_runs_many_turns_in_parallel()
    {
        var kit = new ScriptKit();
        kit.Shared("function 두배(n) { return n * 2; }");
        var hook = kit.Hook("vars.n = 두배(vars.n);\nsay(`${vars.n}`);");
        var program = kit.Build();

        var results = Enumerable.Range(0, 500).AsParallel().WithDegreeOfParallelism(8)
            .Select(i => (i, program.Run(hook, Context(Vars(("n", Json(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))))))).ToList();

        Assert.All(results, r =>
        {
            Assert.Null(r.Item2.Failure);
            Assert.Equal(r.i * 2, r.Item2.Vars["n"].GetInt32());
        });
    }

    [Fact]
    public void A_script_from_another_program_is_refused()
    {
        var kit = new ScriptKit();
        var hook = kit.Hook("vars.a = 1;");
        kit.Build();
        var other = new ScriptKit().Build();

        Assert.Throws<ArgumentException>(() => other.Run(hook, Context()));
    }

    [Fact]
    public void Failure_keeps_the_variables_of_the_turn()
    {
        var vars = Vars(("item", Json("\"콤비 피자\"")));

        var outcome = RunHook("vars.item = '바뀜';\nnull.x;", Context(vars));

        Assert.NotNull(outcome.Failure);
        Assert.Equal(vars, outcome.Vars);
    }

    [Fact]
    public void Data_values_must_be_json_and_bounded()
    {
        var services = new HookServices(new MemoryDataStore(), null);

        var big = RunHook("const big = '가'.repeat(300000);\ndata.set('큰값', big);", Context(services: services));
        var cycle = RunHook("const a = {}; a.self = a;\ntry { data.set('순환', a); } catch (e) { vars.error = e.name; }", Context(services: services));

        Assert.Equal(HookFailureKind.Limit, big.Failure?.Kind);
        Assert.Equal(11, big.Failure?.Location.Line);
        Assert.Equal("TypeError", cycle.Vars["error"].GetString());
        Assert.Null(services.Data!.Get(BotId, "큰값"));
    }

    [Fact]
    public void Host_function_errors_point_at_the_call()
    {
        var outcome = RunHook("say('사진을 보여 드릴게요.');\n  photo('menu.jpg', 640, 480);");

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.StartsWith("TypeError: photo(url, width, height)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(11, failure.Location.Line);
        Assert.Equal(9, failure.Location.Column);
    }

    [Fact]
    public void Hook_limits_from_settings_apply()
    {
        var limits = new HookLimits { MaxStatements = 50 };

        var outcome = RunHook("let n = 0;\nfor (let i = 0; i < 100; i++) { n += i; }", limits: limits);

        Assert.Equal(HookFailureKind.Limit, outcome.Failure?.Kind);
        Assert.Contains("50", outcome.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Warm_up_runs_without_services()
    {
        Assert.True(JintScriptCompiler.WarmUp());
    }
}
