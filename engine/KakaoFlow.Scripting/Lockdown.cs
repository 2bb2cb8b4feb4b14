using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace KakaoFlow.Scripting;

/// <summary>
/// Freezes every built-in object of an engine (constructors, prototypes, namespaces like <c>JSON</c> and <c>Math</c>,
/// the functions on them, and the intrinsics only syntax reaches, like the generator prototypes), so that no run can
/// leave anything on them for a later run of the same engine. The global object itself stays open (scripts declare
/// globals); <see cref="SandboxEngine"/> puts it back after every run.
/// </summary>
/// <remarks>
/// Freezing has one cost for ordinary code, the "override mistake": assigning a property that a frozen prototype
/// defines (<c>this.name = '주문오류'</c> in an <c>Error</c> subclass, <c>obj.toString = ...</c>) throws in strict
/// mode. For the properties code commonly assigns on its own objects (<see cref="Overridable"/>), the data property
/// is replaced by a getter that returns the original and a setter that defines the property on the object assigned
/// to, as SES does; the built-in itself still cannot be changed.
/// </remarks>
internal static class Lockdown
{
    private static readonly string[] ErrorProperties = ["constructor", "name", "message", "toString"];

    /// <summary>Prototypes whose properties ordinary code assigns on its own objects, and those properties.</summary>
    private static readonly (string Constructor, string[] Names)[] Overridable =
    [
        ("Object", ["constructor", "toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"]),
        ("Function", ["constructor", "toString", "apply", "call", "bind"]),
        ("Array", ["constructor", "toString"]),
        ("Promise", ["constructor"]),
        ("Error", ErrorProperties),
        ("EvalError", ErrorProperties),
        ("RangeError", ErrorProperties),
        ("ReferenceError", ErrorProperties),
        ("SyntaxError", ErrorProperties),
        ("TypeError", ErrorProperties),
        ("URIError", ErrorProperties),
        ("AggregateError", ErrorProperties),
        ("SuppressedError", ErrorProperties),
    ];

    /// <summary>
    /// Objects that hold built-ins no property path from the global object reaches. What they lead to (the
    /// generator and async function constructors, the iterator prototypes) is walked from them. One expression that
    /// calls no script function, so the smallest statement and call-depth limits a flow may set cannot stop it.
    /// </summary>
    private static readonly Prepared<Acornima.Ast.Script> HiddenIntrinsics = Engine.PrepareScript(
        """
        [
          Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async function () {}), Object.getPrototypeOf(async function* () {}),
          Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(new Map()[Symbol.iterator]()),
          Object.getPrototypeOf(new Set()[Symbol.iterator]()), Object.getPrototypeOf(''[Symbol.iterator]()),
          Object.getPrototypeOf('a'.matchAll(/a/g)), Object.getPrototypeOf([].values().map(x => x)),
          Object.getPrototypeOf(Iterator.from({ next() { return { done: true }; } })),
          Object.getPrototypeOf(new Intl.Segmenter().segment('')[Symbol.iterator]()),
          Object.getPrototypeOf(AsyncIterator.from({ next() { return Promise.resolve({ done: true }); } })),
          Object.getPrototypeOf(AsyncIterator.from([])), Object.getPrototypeOf(AsyncIterator.from([]).map(x => x)),
        ]
        """,
        "lockdown",
        strict: true);

    /// <summary>Freezes everything reachable from the global object's properties and from the hidden intrinsics.</summary>
    /// <returns>How many objects were frozen.</returns>
    public static int Apply(Engine engine)
    {
        AllowOverrides(engine);

        var freeze = engine.Intrinsics.Object.Get("freeze");
        var seen = new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance) { engine.Global };
        var queue = new Queue<ObjectInstance>();

        void Reach(JsValue? value)
        {
            if (value is ObjectInstance obj && seen.Add(obj))
            {
                queue.Enqueue(obj);
            }
        }

        void ReachProperties(ObjectInstance obj)
        {
            foreach (var key in obj.GetOwnPropertyKeys(Types.String | Types.Symbol))
            {
                var descriptor = obj.GetOwnProperty(key);
                Reach(descriptor.Get);
                Reach(descriptor.Set);
                if (descriptor.IsDataDescriptor())
                {
                    Reach(descriptor.Value);
                }
            }
        }

        ReachProperties(engine.Global);
        Reach(engine.Global.Prototype);
        foreach (var hidden in engine.Evaluate(HiddenIntrinsics).AsArray())
        {
            Reach(hidden);
        }

        while (queue.TryDequeue(out var obj))
        {
            Reach(obj.Prototype);
            ReachProperties(obj);
            engine.Call(freeze, JsValue.Undefined, [obj]);
        }

        return seen.Count - 1;
    }

    private static void AllowOverrides(Engine engine)
    {
        foreach (var (constructor, names) in Overridable)
        {
            if (engine.Global.Get(constructor) is not ObjectInstance type || type.Get("prototype") is not ObjectInstance prototype)
            {
                continue;
            }

            foreach (var name in names)
            {
                AllowOverride(engine, prototype, name);
            }
        }
    }

    /// <summary>
    /// Turns a writable data property of a prototype into a getter (the same value) and a setter that gives the
    /// object assigned to its own property, as assignment would if the prototype were not frozen.
    /// </summary>
    private static void AllowOverride(Engine engine, ObjectInstance prototype, string name)
    {
        var current = prototype.GetOwnProperty(name);
        if (current == PropertyDescriptor.Undefined || !current.IsDataDescriptor() || !current.Writable)
        {
            return;
        }

        var value = current.Value;
        var getter = new ClrFunction(engine, "get " + name, (_, _) => value, 0, PropertyFlag.Configurable);
        var setter = new ClrFunction(engine, "set " + name, (self, args) =>
        {
            var assigned = args.Length > 0 ? args[0] : JsValue.Undefined;
            if (ReferenceEquals(self, prototype) || self is not ObjectInstance target)
            {
                throw new JavaScriptException(engine.Intrinsics.TypeError, $"Cannot assign to read only property '{name}' of a built-in");
            }

            var done = target.GetOwnProperty(name) != PropertyDescriptor.Undefined
                ? target.Set(name, assigned, target)
                : target.DefineOwnProperty(name, new PropertyDescriptor(assigned, PropertyFlag.ConfigurableEnumerableWritable));
            if (!done)
            {
                throw new JavaScriptException(engine.Intrinsics.TypeError, $"Cannot assign to property '{name}'");
            }

            return JsValue.Undefined;
        }, 1, PropertyFlag.Configurable);

        prototype.DefineOwnProperty(name, new GetSetPropertyDescriptor(getter, setter, current.Enumerable, current.Configurable));
    }
}
