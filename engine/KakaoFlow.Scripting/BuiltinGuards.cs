using System.Globalization;
using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;
using KakaoFlow.Hooks;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Scripting;

/// <summary>
/// Jint checks the memory limit between statements, so one built-in call can build a huge string before anyone
/// looks: <c>new Array(60000).fill(s).join('')</c>, or <c>JSON.stringify</c> of many references to one string,
/// runs to seconds and hundreds of megabytes in a single call. These replacements cap the length of what they build
/// (<see cref="SandboxLimits.MaxStringLength"/>) and check the run's limits while they work.
/// </summary>
internal sealed class BuiltinGuards(Engine engine)
{
    private const int CheckEvery = 1024;

    private readonly HashSet<ObjectInstance> _joining = new(ReferenceEqualityComparer.Instance);

    public void Install()
    {
        var arrayPrototype = Prototype("Array");
        Replace(arrayPrototype, "join", 1, (self, args) => Join(self, Arg(args, 0), locale: false));
        Replace(arrayPrototype, "toLocaleString", 0, (self, _) => Join(self, JsValue.Undefined, locale: true));

        var stringPrototype = Prototype("String");
        var repeat = stringPrototype.Get("repeat");
        Replace(stringPrototype, "repeat", 1, (self, args) =>
        {
            Ensure(TypeConverter.ToString(self).Length * Math.Max(0, TypeConverter.ToIntegerOrInfinity(Arg(args, 0))));
            return repeat.Call(self, args);
        });
        foreach (var name in (string[])["padStart", "padEnd"])
        {
            var original = stringPrototype.Get(name);
            Replace(stringPrototype, name, 2, (self, args) =>
            {
                Ensure(TypeConverter.ToLength(Arg(args, 0)));
                return original.Call(self, args);
            });
        }

        var concat = stringPrototype.Get("concat");
        Replace(stringPrototype, "concat", 1, (self, args) =>
        {
            double length = TypeConverter.ToString(self).Length;
            foreach (var arg in args)
            {
                length += arg.IsString() ? arg.AsString().Length : 0;
            }

            Ensure(length);
            return concat.Call(self, args);
        });

        foreach (var name in (string[])["replace", "replaceAll"])
        {
            var original = stringPrototype.Get(name);
            Replace(stringPrototype, name, 2, (self, args) => ReplaceText(original, self, args));
        }

        var json = engine.Global.Get("JSON").AsObject();
        var stringify = json.Get("stringify");
        Replace(json, "stringify", 3, (_, args) => Stringify(json, stringify, args));
    }

    /// <summary>Array.prototype.join as the spec writes it, with a length cap, limit checks and cycle detection.</summary>
    private JsString Join(JsValue self, JsValue separatorArg, bool locale)
    {
        if (self.IsNull() || self.IsUndefined())
        {
            throw new JavaScriptException(engine.Intrinsics.TypeError, "Array.prototype.join called on null or undefined");
        }

        var text = self.IsString() ? self.AsString() : null;
        var obj = self.IsObject() ? self.AsObject() : null;
        var length = text is not null ? (ulong)text.Length : obj is null ? 0UL : TypeConverter.ToLength(obj.Get("length"));
        var separator = separatorArg.IsUndefined() ? "," : TypeConverter.ToString(separatorArg);

        // A cyclic array joins as an empty string, as browsers do, instead of recursing forever.
        if (obj is not null && !_joining.Add(obj))
        {
            return JsString.Empty;
        }

        try
        {
            if (_joining.Count > SandboxLimits.MaxValueDepth)
            {
                throw new SandboxLimitException(MessageText.Format(ScriptMessages.ValueTooDeep, "join", SandboxLimits.MaxValueDepth));
            }

            var result = new StringBuilder();
            for (var i = 0UL; i < length; i++)
            {
                if (i % CheckEvery == CheckEvery - 1)
                {
                    engine.Constraints.Check();
                }

                if (i > 0)
                {
                    result.Append(separator);
                }

                var element = text is not null ? new JsString(text[(int)i]) : obj!.Get(JsNumber.Create((double)i));
                if (!element.IsNull() && !element.IsUndefined())
                {
                    var part = locale ? (element.IsObject() ? element.AsObject() : engine.Intrinsics.Object.Construct([element])).Get("toLocaleString").Call(element, []) : element;
                    result.Append(TypeConverter.ToString(part));
                }

                Ensure(result.Length);
            }

            return new JsString(result.ToString());
        }
        finally
        {
            if (obj is not null)
            {
                _joining.Remove(obj);
            }
        }
    }

    /// <summary>
    /// String.prototype.replace and replaceAll, refused when the result could pass the cap: a replacement
    /// function's results are added up as they come; a replacement text is bounded before the call
    /// (unguarded, <c>'x'.repeat(1e6).replaceAll('x', 'x'.repeat(1000))</c> builds gigabytes in one call).
    /// </summary>
    private JsValue ReplaceText(JsValue original, JsValue self, JsValue[] args)
    {
        var replacement = Arg(args, 1);
        if (replacement.IsCallable())
        {
            var total = self.IsString() ? (double)self.AsString().Length : 0;
            var calls = 0;
            var counted = new ClrFunction(engine, "", (thisArg, a) =>
            {
                var result = replacement.Call(thisArg, a);
                total += result.IsString() ? result.AsString().Length : 0;
                if (++calls % CheckEvery == 0)
                {
                    engine.Constraints.Check();
                }

                Ensure(total);
                return result;
            }, 1);
            return original.Call(self, [Arg(args, 0), counted]);
        }

        if (self.IsString() && replacement.IsString())
        {
            Ensure(ReplacementBound(self.AsString().Length, replacement.AsString()));
        }

        return original.Call(self, args);
    }

    /// <summary>
    /// The longest result of replacing every match in a text of <paramref name="length"/> characters: matches are
    /// at most length + 1 (empty matches), <c>$&amp;</c> and captures add up to at most the text once each, and
    /// <c>$`</c> / <c>$'</c> copy up to the whole text per match.
    /// </summary>
    internal static double ReplacementBound(int length, string replacement)
    {
        double literal = 0;
        double once = 0;
        double perMatch = 0;
        for (var i = 0; i < replacement.Length; i++)
        {
            if (replacement[i] != '$' || i + 1 >= replacement.Length)
            {
                literal++;
                continue;
            }

            switch (replacement[i + 1])
            {
                case '$':
                    literal++;
                    i++;
                    break;
                case '&' or (>= '0' and <= '9') or '<':
                    once++;
                    i++;
                    break;
                case '`' or '\'':
                    perMatch++;
                    i++;
                    break;
                default:
                    literal++;
                    break;
            }
        }

        var matches = (double)length + 1;
        return length + (matches * literal) + (length * once) + (matches * length * perMatch);
    }

    /// <summary>
    /// JSON.stringify itself, fed through a replacer that adds up what the output will hold (every key, every
    /// string, a little per value) and stops past the cap. The owner's own replacer still runs.
    /// </summary>
    private JsValue Stringify(ObjectInstance json, JsValue original, JsValue[] args)
    {
        var value = Arg(args, 0);
        var replacer = Arg(args, 1);
        var space = Arg(args, 2);
        var gap = space.IsNumber() ? Math.Clamp(TypeConverter.ToIntegerOrInfinity(space), 0, 10) : space.IsString() ? Math.Min(10, space.AsString().Length) : 0;
        var budget = 0d;
        var calls = 0;

        JsValue Count(JsValue key, JsValue result)
        {
            budget += TypeConverter.ToString(key).Length + 8 + (gap * 8);
            if (result.IsString())
            {
                budget += result.AsString().Length;
            }

            if (++calls % CheckEvery == 0)
            {
                engine.Constraints.Check();
            }

            if (budget > SandboxLimits.MaxStringLength)
            {
                throw RangeError($"JSON.stringify: the result would be longer than {SandboxLimits.MaxStringLength} characters");
            }

            return result;
        }

        if (replacer.IsCallable())
        {
            var counted = new ClrFunction(engine, "", (holder, a) => Count(Arg(a, 0), replacer.Call(holder, a)), 2);
            return original.Call(json, [value, counted, space]);
        }

        var counter = new ClrFunction(engine, "", (_, a) => Count(Arg(a, 0), Arg(a, 1)), 2);
        if (replacer.IsArray())
        {
            // A key list cannot be combined with a function; measure the unfiltered output (never smaller) first.
            original.Call(json, [value, counter, space]);
            return original.Call(json, args);
        }

        return original.Call(json, [value, counter, space]);
    }

    private static void Ensure(double length)
    {
        if (length > SandboxLimits.MaxStringLength)
        {
            throw new StringTooLongException();
        }
    }

    private ObjectInstance Prototype(string constructor) => engine.Global.Get(constructor).AsObject().Get("prototype").AsObject();

    private void Replace(ObjectInstance target, string name, int length, Func<JsValue, JsValue[], JsValue> body)
    {
        JsValue Guarded(JsValue self, JsValue[] args)
        {
            try
            {
                return body(self, args);
            }
            catch (StringTooLongException)
            {
                throw RangeError(MessageText.Format(ScriptMessages.StringTooLong, SandboxLimits.MaxStringLength));
            }
        }

        target.FastSetProperty(name, new PropertyDescriptor(new ClrFunction(engine, name, Guarded, length, PropertyFlag.Configurable), PropertyFlag.NonEnumerable));
    }

    private JavaScriptException RangeError(string message) => new(engine.Construct("RangeError", [new JsString(message)]));

    private static JsValue Arg(JsValue[] args, int index) => index < args.Length ? args[index] : JsValue.Undefined;

    private sealed class StringTooLongException : Exception;
}
