using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Storage;
using KakaoFlow.Templates;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Scripting;

/// <summary>
/// One run of one hook or check: the host API it sees (<c>vars</c>, <c>input</c>, <c>value</c>, <c>reply</c>,
/// <c>say</c>, <c>photo</c>, <c>link</c>, <c>buttons</c>, <c>goto</c>, <c>data</c>, <c>now</c>, <c>log</c>, <c>josa</c>,
/// <c>pay</c>) and what it changed. Lives for one run on one thread; its engine serves other runs before and after it.
/// </summary>
internal sealed partial class HookRun(JintScriptProgram program, JintPreparedScript script, HookContext context, Engine engine)
{
    /// <summary>The globals every run defines (non-writable, non-configurable).</summary>
    public static readonly FrozenSet<string> GlobalNames =
        FrozenSet.ToFrozenSet(["vars", "input", "value", "reply", "say", "photo", "link", "buttons", "goto", "data", "now", "log", "josa", "pay"], StringComparer.Ordinal);

    private readonly Dictionary<string, JsValue> _initialVars = new(StringComparer.Ordinal);
    private JsObject? _vars;
    private string? _text;
    private ReplyPhoto? _photo;
    private ReplyLink? _link;
    private DynamicChoice? _buttons;
    private string? _goto;
    private int _logs;

    /// <summary>
    /// The globals <see cref="SandboxEngine"/> registers once per engine as lazy globals: each is made by
    /// <see cref="Global"/> of the run that first reads it, so a run pays only for the host API it uses.
    /// </summary>
    public static readonly ImmutableArray<string> LazyGlobalNames = [.. GlobalNames.Where(name => name != "value").Order(StringComparer.Ordinal)];

    /// <summary>Defines what only some runs have: <c>value</c>, in checks.</summary>
    public void Install()
    {
        if (script.Kind == ScriptKind.Check)
        {
            Define("value", context.Value is { } text ? new JsString(text) : JsValue.Null);
        }
    }

    /// <summary>This run's value of the host global <paramref name="name"/>, made when the script first reads it.</summary>
    public JsValue Global(string name) => name switch
    {
        "vars" => Vars(),
        "input" => Input(),
        "reply" => Reply(),
        "say" => Function("say", 1, Say),
        "photo" => Function("photo", 3, Photo),
        "link" => Function("link", 2, Link),
        "buttons" => Function("buttons", 2, Buttons),
        "goto" => Function("goto", 1, Goto),
        "data" => Data(),
        "now" => Function("now", 0, (_, _) => new JsString(SeoulClock.Format(context.Now))),
        "log" => Function("log", 0, Log),
        "josa" => Function("josa", 2, Josa),
        "pay" => Pay(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a host global"),
    };

    private JsObject Vars()
    {
        _vars = new JsObject(engine);
        foreach (var (name, value) in context.Vars)
        {
            var js = JsonBridge.ToJs(engine, value);
            _initialVars[name] = js;
            _vars.CreateDataProperty(name, js);
        }

        return _vars;
    }

    public HookOutcome Finish(JsValue completion)
    {
        var vars = ReadVars();
        return new HookOutcome
        {
            Vars = vars,
            Truthy = TypeConverter.ToBoolean(completion),
            Say = _text,
            Photo = _photo,
            Link = _link,
            Buttons = _buttons,
            Goto = _goto,
        };
    }

    private ImmutableDictionary<string, JsonElement> ReadVars()
    {
        if (_vars is null)
        {
            // The run never read vars, so it cannot have changed them.
            return context.Vars;
        }

        var result = context.Vars.Clear().ToBuilder();
        var total = 0L;
        foreach (var key in _vars.GetOwnPropertyKeys(Types.String))
        {
            var descriptor = _vars.GetOwnProperty(key);
            if (descriptor == PropertyDescriptor.Undefined || !descriptor.Enumerable)
            {
                continue;
            }

            var name = key.ToString();
            var value = _vars.Get(key);

            // A primitive the hook left alone keeps its original JSON (no re-encoding, no allocation).
            if (_initialVars.TryGetValue(name, out var initial) && ReferenceEquals(initial, value) && !value.IsObject())
            {
                result[name] = context.Vars[name];
                total += 16;
                continue;
            }

            if (JsonBridge.ToJson(engine, value, $"vars.{name}") is { } json)
            {
                total += json.ValueKind == JsonValueKind.String ? json.GetString()!.Length : json.GetRawText().Length;
                if (total > SandboxLimits.MaxValueBytes)
                {
                    throw new SandboxLimitException(MessageText.Format(ScriptMessages.ValueTooLarge, "vars", SandboxLimits.MaxValueBytes));
                }

                result[name] = json;
            }
        }

        return result.ToImmutable();
    }

    private JsValue Input()
    {
        if (context.Input is not { } turn)
        {
            return JsValue.Null;
        }

        var input = new JsObject(engine);
        input.CreateDataProperty("type", turn.Kind == TurnKind.Photo ? "photo" : "text");
        input.CreateDataProperty("content", turn.Content);
        input.PreventExtensions();
        return input;
    }

    private JsObject Reply()
    {
        var reply = new JsObject(engine);
        var get = Function("get text", 0, (_, _) => _text is null ? JsValue.Null : new JsString(_text));
        var set = Function("set text", 1, (_, args) =>
        {
            var value = Arg(args, 0);
            _text = IsNothing(value) ? null : TypeConverter.ToString(value);
            return JsValue.Undefined;
        });
        reply.DefineOwnProperty("text", new GetSetPropertyDescriptor(get, set, enumerable: true, configurable: false));
        reply.PreventExtensions();
        return reply;
    }

    private JsValue Say(JsValue self, JsValue[] args)
    {
        var value = Arg(args, 0);
        if (IsNothing(value))
        {
            throw TypeError(MessageText.Format(ScriptMessages.SayNeedsText));
        }

        var text = TypeConverter.ToString(value);
        _text = _text is null ? text : _text + "\n" + text;
        return JsValue.Undefined;
    }

    private JsValue Photo(JsValue self, JsValue[] args)
    {
        if (!IsWebUrl(Arg(args, 0), out var url) || !IsPositiveWhole(Arg(args, 1), out var width) || !IsPositiveWhole(Arg(args, 2), out var height))
        {
            throw TypeError(MessageText.Format(ScriptMessages.PhotoArgs));
        }

        _photo = new ReplyPhoto(url, width, height);
        return JsValue.Undefined;
    }

    private JsValue Link(JsValue self, JsValue[] args)
    {
        var label = Arg(args, 0);
        var text = IsNothing(label) ? "" : TypeConverter.ToString(label);
        if (text.Length == 0 || !IsWebUrl(Arg(args, 1), out var url))
        {
            throw TypeError(MessageText.Format(ScriptMessages.LinkArgs));
        }

        _link = new ReplyLink(text, url);
        return JsValue.Undefined;
    }

    private JsValue Buttons(JsValue self, JsValue[] args)
    {
        var labels = ButtonLabels(Arg(args, 0));
        var (save, next) = ButtonOptions(Arg(args, 1));
        _buttons = new DynamicChoice(labels, save, next);
        return JsValue.Undefined;
    }

    /// <summary>A list of 1 to <see cref="SandboxLimits.MaxButtons"/> labels, each shown trimmed, none empty and no two alike.</summary>
    private ImmutableArray<string> ButtonLabels(JsValue list)
    {
        var length = list.IsArray() ? TypeConverter.ToLength(list.AsObject().Get("length")) : 0;
        if (length is 0 or > SandboxLimits.MaxButtons)
        {
            throw TypeError(MessageText.Format(ScriptMessages.ButtonsArgs, SandboxLimits.MaxButtons));
        }

        var array = list.AsObject();
        var labels = ImmutableArray.CreateBuilder<string>((int)length);
        for (var i = 0; i < (int)length; i++)
        {
            var item = array.Get(JsNumber.Create(i));
            var label = IsNothing(item) ? "" : TypeConverter.ToString(item).Trim();
            if (label.Length == 0)
            {
                throw TypeError(MessageText.Format(ScriptMessages.ButtonsEmptyLabel));
            }

            if (labels.Contains(label))
            {
                throw TypeError(MessageText.Format(ScriptMessages.ButtonsDuplicate, label));
            }

            labels.Add(label);
        }

        return labels.ToImmutable();
    }

    /// <summary><c>{ save, next }</c>, each a text or left out; an empty text is the same as leaving it out.</summary>
    private (string? Save, string? Next) ButtonOptions(JsValue options)
    {
        if (IsNothing(options))
        {
            return (null, null);
        }

        if (!options.IsObject())
        {
            throw TypeError(MessageText.Format(ScriptMessages.ButtonsOptions, TypeConverter.ToString(options)));
        }

        string? save = null;
        string? next = null;
        var obj = options.AsObject();
        foreach (var key in obj.GetOwnPropertyKeys(Types.String))
        {
            var name = key.ToString();
            var value = obj.Get(key);
            if (name is not ("save" or "next") || !(value.IsString() || IsNothing(value)))
            {
                throw TypeError(MessageText.Format(ScriptMessages.ButtonsOptions, name));
            }

            var text = value.IsString() ? value.AsString() : null;
            if (name == "save")
            {
                save = string.IsNullOrEmpty(text) ? null : text;
            }
            else
            {
                next = string.IsNullOrEmpty(text) ? null : text;
            }
        }

        return (save, next);
    }

    /// <summary><c>josa(value, '을')</c>: the value with the particle in the form it takes (<see cref="KoreanParticles"/>).</summary>
    private JsValue Josa(JsValue self, JsValue[] args)
    {
        var particle = Arg(args, 1);
        if (!particle.IsString() || !KoreanParticles.IsKnown(particle.AsString()))
        {
            throw TypeError(MessageText.Format(ScriptMessages.JosaArgs));
        }

        var value = Arg(args, 0);
        return new JsString(KoreanParticles.Attach(IsNothing(value) ? "" : TypeConverter.ToString(value), particle.AsString()));
    }

    private JsValue Goto(JsValue self, JsValue[] args)
    {
        var target = Arg(args, 0);
        if (!target.IsString() || target.AsString().Length == 0)
        {
            throw TypeError(MessageText.Format(ScriptMessages.GotoArgs));
        }

        _goto = target.AsString();
        return JsValue.Undefined;
    }

    private JsObject Data()
    {
        var data = new JsObject(engine);
        data.CreateDataProperty("get", Function("get", 1, (_, args) =>
        {
            var key = Key(args);
            var value = Store("get", store => store.Get(program.BotId, key));
            return value is { } json ? JsonBridge.ToJs(engine, json) : JsValue.Undefined;
        }));
        data.CreateDataProperty("set", Function("set", 2, (_, args) =>
        {
            var key = Key(args);
            var json = JsonBridge.ToJson(engine, Arg(args, 1), MessageText.Format(ScriptMessages.DataValue, key)) ?? throw TypeError(MessageText.Format(ScriptMessages.DataUndefined));
            Store("set", store =>
            {
                store.Set(program.BotId, key, json, program.Limits.DataBytes); // over the bot's limit: a catchable Error
                return true;
            });
            return JsValue.Undefined;
        }));
        data.CreateDataProperty("delete", Function("delete", 1, (_, args) =>
        {
            var key = Key(args);
            return Store("delete", store => store.Delete(program.BotId, key)) ? JsBoolean.True : JsBoolean.False;
        }));
        data.CreateDataProperty("update", Function("update", 2, DataUpdate));
        data.CreateDataProperty("keys", Function("keys", 0, (_, _) =>
        {
            var keys = Store("keys", store => store.Keys(program.BotId));
            var items = new JsValue[keys.Count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = new JsString(keys[i]);
            }

            return new JsArray(engine, items);
        }));
        data.PreventExtensions();
        return data;
    }

    private string Key(JsValue[] args)
    {
        var key = Arg(args, 0);
        if (!key.IsString() || key.AsString() is not { Length: > 0 and <= SandboxLimits.MaxKeyLength } text)
        {
            throw TypeError(MessageText.Format(ScriptMessages.BadKey, SandboxLimits.MaxKeyLength));
        }

        return text;
    }

    /// <summary>Calls the bot's store; its failures become catchable JavaScript errors, not host crashes.</summary>
    private T Store<T>(string operation, Func<IBotDataStore, T> call)
    {
        var store = context.Services.Data ?? throw new JavaScriptException(engine.Intrinsics.Error, MessageText.Format(ScriptMessages.NoDataStore));
        try
        {
            return call(store);
        }
        catch (Exception ex) when (ex is not JintException)
        {
            throw new JavaScriptException(engine.Intrinsics.Error, MessageText.Format(ScriptMessages.DataFailed, operation, ex.Message));
        }
    }

    private JsValue Log(JsValue self, JsValue[] args)
    {
        if (context.Services.Log is not { } log || _logs > SandboxLimits.MaxLogCalls)
        {
            return JsValue.Undefined;
        }

        var location = program.CurrentLocation(engine, script.Location);
        if (++_logs > SandboxLimits.MaxLogCalls)
        {
            log.Write(program.BotId, location, MessageText.Format(ScriptMessages.LogLimit, SandboxLimits.MaxLogCalls));
            return JsValue.Undefined;
        }

        var message = new StringBuilder();
        foreach (var arg in args)
        {
            if (message.Length > 0)
            {
                message.Append(' ');
            }

            message.Append(LogText(arg));
            if (message.Length > SandboxLimits.MaxLogLength)
            {
                break;
            }
        }

        var text = message.Length > SandboxLimits.MaxLogLength ? message.ToString(0, SandboxLimits.MaxLogLength) + "…" : message.ToString();
        log.Write(program.BotId, location, text);
        return JsValue.Undefined;
    }

    private string LogText(JsValue value)
    {
        if (value.IsString())
        {
            return value.AsString();
        }

        if (value.IsUndefined())
        {
            return "undefined";
        }

        if (value.IsObject() && !value.IsCallable())
        {
            try
            {
                return JsonBridge.ToJson(engine, value, MessageText.Format(ScriptMessages.LogArgument))?.GetRawText() ?? "undefined";
            }
            catch (Exception ex) when (ex is SandboxLimitException or JavaScriptException)
            {
                return "[object]";
            }
        }

        return TypeConverter.ToString(value);
    }

    private void Define(string name, JsValue value) =>
        engine.Global.DefineOwnProperty(name, new PropertyDescriptor(value, writable: false, enumerable: false, configurable: false));

    private ClrFunction Function(string name, int length, Func<JsValue, JsValue[], JsValue> body) => new(engine, name, body, length, PropertyFlag.Configurable);

    private JavaScriptException TypeError(string message) => new(engine.Intrinsics.TypeError, message);

    private static bool IsNothing(JsValue value) => value.IsNull() || value.IsUndefined();

    private static JsValue Arg(JsValue[] args, int index) => index < args.Length ? args[index] : JsValue.Undefined;

    private static bool IsWebUrl(JsValue value, out string url)
    {
        url = value.IsString() ? value.AsString() : "";
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
    }

    private static bool IsPositiveWhole(JsValue value, out int number)
    {
        number = 0;
        if (!value.IsNumber())
        {
            return false;
        }

        var d = value.AsNumber();
        if (d is < 1 or > 100_000 || d != Math.Floor(d))
        {
            return false;
        }

        number = (int)d;
        return true;
    }
}
