using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Scripting;
using static KakaoFlow.Tests.Scripting.ScriptKit;

namespace KakaoFlow.Tests.Scripting;

/// <summary>Syntax errors (KF016) and run-time errors point at the line and column of flow.yaml or the .js file.</summary>
public sealed class LocationTests
{
    [Fact]
    public void Syntax_error_in_a_block_hook_maps_into_the_flow_file()
    {
        // flow.yaml:             js: |            (line 9)
        //   line 10, column 7:     vars.합계 = 0;
        //   line 11, column 7:     let x = ;
        var bag = new DiagnosticBag();
        var builder = new JintScriptCompiler().CreateProgram(BotId, HookLimits.Default);
        var code = "vars.합계 = 0;\nlet x = ;";

        var hook = builder.AddHook(new Model.SourceText(code, new SourceSpan(FlowFile, 10, 7), new Model.ContentOrigin(FlowFile, FirstLine: 10, FirstColumn: 7, IsBlock: true)), bag);

        Assert.Null(hook);
        var diagnostic = Assert.Single(bag.Items);
        Assert.Equal("KF016", diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(FlowFile, diagnostic.Span.File);
        Assert.Equal(11, diagnostic.Span.Line);
        Assert.Equal(15, diagnostic.Span.Column); // ';' is column 9 of the script line, 7 + 9 - 1
        Assert.Equal($"{FlowFile}:11:15: error KF016: JavaScript syntax error: Unexpected token ';'", diagnostic.Format());
    }

    [Fact]
    public void Syntax_error_on_the_first_line_of_a_plain_scalar_check()
    {
        // flow.yaml line 20:      check: value.length >= = 5     (content starts at column 14)
        var kit = new ScriptKit();

        var check = new JintScriptCompiler().CreateProgram(BotId, HookLimits.Default).AddCheck(Inline("value.length >= = 5"), kit.Diagnostics);

        Assert.Null(check);
        var diagnostic = Assert.Single(kit.Diagnostics.Items);
        Assert.Equal(20, diagnostic.Span.Line);
        Assert.Equal(14 + 16, diagnostic.Span.Column);
    }

    [Fact]
    public void Strict_mode_errors_are_syntax_errors()
    {
        var kit = new ScriptKit();

        var hook = new JintScriptCompiler().CreateProgram(BotId, HookLimits.Default).AddHook(Block("const o = {};\nwith (o) { say('x'); }"), kit.Diagnostics);

        Assert.Null(hook);
        var diagnostic = Assert.Single(kit.Diagnostics.Items);
        Assert.Equal((11, 7), (diagnostic.Span.Line, diagnostic.Span.Column));
    }

    [Fact]
    public void Check_must_be_one_expression()
    {
        var bag = new DiagnosticBag();
        var builder = new JintScriptCompiler().CreateProgram(BotId, HookLimits.Default);

        Assert.Null(builder.AddCheck(Inline("let ok = value.length > 3"), bag));
        Assert.Null(builder.AddCheck(Inline("return value.length > 3"), bag));
        Assert.NotNull(builder.AddCheck(Inline("value.length > 3;"), bag));

        Assert.Equal(2, bag.Items.Count);
        Assert.All(bag.Items, d => Assert.Equal("KF016", d.Code));
    }

    [Fact]
    public void Syntax_error_in_a_shared_script_points_into_the_js_file()
    {
        var kit = new ScriptKit();

        kit.Shared("function 가격(item) {\n  return 가격표[item;\n}", "flows/pizza/menu.js");

        var diagnostic = Assert.Single(kit.Diagnostics.Items);
        Assert.Equal("KF016", diagnostic.Code);
        Assert.Equal("flows/pizza/menu.js", diagnostic.Span.File);
        Assert.Equal(2, diagnostic.Span.Line);
        Assert.Equal(18, diagnostic.Span.Column); // the ';' after `  return 가격표[item`
    }

    [Fact]
    public void Runtime_error_reports_the_js_message_and_the_flow_line()
    {
        var outcome = RunHook("const 주문 = null;\nvars.item = '피자';\n  vars.n = 주문.수량;");

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.Equal("TypeError: Cannot read properties of null (reading '수량')", failure.Message);
        Assert.Equal(FlowFile, failure.Location.File);
        Assert.Equal(12, failure.Location.Line);
        Assert.Equal(7 + 15 - 1, failure.Location.Column); // Jint points at `수량`, column 15 of the script line
    }

    [Fact]
    public void Thrown_values_and_errors_keep_their_message()
    {
        var error = RunHook("throw new Error('재고가 없어요');");
        var text = RunHook("\nthrow '품절';");

        Assert.Equal("Error: 재고가 없어요", error.Failure?.Message);
        Assert.Equal("품절", text.Failure?.Message);
        Assert.Equal(11, text.Failure?.Location.Line);
    }

    [Fact]
    public void Runtime_error_inside_a_shared_function_points_into_the_js_file()
    {
        var kit = new ScriptKit();
        kit.Shared("function 나누기(a, b) {\n  if (b === 0) throw new RangeError('0으로 나눌 수 없어요');\n  return a / b;\n}");
        var hook = kit.Hook("vars.r = 나누기(1, 0);");

        var outcome = kit.Build().Run(hook, Context());

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.Equal("RangeError: 0으로 나눌 수 없어요", failure.Message);
        Assert.Equal("flows/pizza/menu.js", failure.Location.File);
        Assert.Equal(2, failure.Location.Line);
    }

    [Fact]
    public void Runtime_error_in_a_check_points_at_the_check()
    {
        var kit = new ScriptKit();
        var check = kit.Check("value.trim().length > 0");

        var outcome = kit.Build().Run(check, Context());

        var failure = Fails(outcome, HookFailureKind.ScriptError);
        Assert.Equal(20, failure.Location.Line);
    }

    [Fact]
    public void Declaring_a_host_name_is_reported_at_check_time()
    {
        var bag = new DiagnosticBag();
        var builder = new JintScriptCompiler().CreateProgram(BotId, HookLimits.Default);

        Assert.Null(builder.AddHook(Block("vars.a = 1;\nfunction say(t) { return t; }"), bag));
        builder.AddSharedScript(JsFile("const data = {};"), bag);
        Assert.NotNull(builder.AddHook(Block("const value = input?.content ?? '';"), bag));

        Assert.Equal(2, bag.Items.Count);
        Assert.Equal((11, 16), (bag.Items[0].Span.Line, bag.Items[0].Span.Column));
        Assert.Contains("'say'", bag.Items[0].Message, StringComparison.Ordinal);
        Assert.Equal(("flows/pizza/menu.js", 1, 7), (bag.Items[1].Span.File, bag.Items[1].Span.Line, bag.Items[1].Span.Column));
    }
}
