using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Jint;
using Jint.Native;
using Jint.Runtime;
using KakaoFlow.Payments;
using KakaoFlow.Diagnostics;

namespace KakaoFlow.Scripting;

/// <summary>
/// <c>data.update</c> and <c>pay</c> (docs/commerce.md, docs/hooks.md): the parts of the host API that change what all
/// users of a bot share, and money.
/// </summary>
internal sealed partial class HookRun
{

    private bool _inUpdate;

    /// <summary>
    /// <c>data.update(key, fn)</c>: <c>fn(current)</c> returns the value to store, atomically with respect to every other
    /// turn (<see cref="Storage.IBotDataStore.Update"/>). Returns the value stored.
    /// </summary>
    private JsValue DataUpdate(JsValue self, JsValue[] args)
    {
        var key = Key(args);
        var fn = Arg(args, 1);
        if (!fn.IsCallable())
        {
            throw TypeError(MessageText.Format(ScriptMessages.UpdateArgs));
        }

        NotInsideUpdate("data.update");
        var waited = Stopwatch.GetTimestamp();
        var stored = Store("update", store => store.Update(program.BotId, key, current =>
        {
            // The wait for the key's lock is the host's time, not the script's (see HostTime).
            HostTime(waited);
            _inUpdate = true;
            try
            {
                var next = engine.Call(fn, current is { } json ? JsonBridge.ToJs(engine, json) : JsValue.Undefined);
                if (next.IsUndefined())
                {
                    throw TypeError(MessageText.Format(ScriptMessages.UpdateUndefined));
                }

                return JsonBridge.ToJson(engine, next, MessageText.Format(ScriptMessages.DataValue, key)) ?? throw TypeError(MessageText.Format(ScriptMessages.UpdateUndefined));
            }
            finally
            {
                _inUpdate = false;
                waited = Stopwatch.GetTimestamp();
            }
        }, program.Limits.DataBytes));
        HostTime(waited);
        return JsonBridge.ToJs(engine, stored);
    }

    private JsObject Pay()
    {
        var pay = new JsObject(engine);
        pay.CreateDataProperty("registerUrl", Function("registerUrl", 0, (_, _) =>
            new JsString(Payments("pay.registerUrl", (payments, user) => payments.RegisterUrl(program.BotId, user, context.Now)))));
        pay.CreateDataProperty("card", Function("card", 0, (_, _) =>
            Payments("pay.card", (payments, user) => payments.Card(program.BotId, user)) is { } card
                ? Result(("brand", card.Brand), ("last4", card.Last4))
                : JsValue.Null));
        pay.CreateDataProperty("removeCard", Function("removeCard", 0, (_, _) =>
            Payments("pay.removeCard", (payments, user) => payments.RemoveCard(program.BotId, user)) ? JsBoolean.True : JsBoolean.False));
        pay.CreateDataProperty("charge", Function("charge", 2, Charge));
        pay.CreateDataProperty("refund", Function("refund", 1, Refund));
        pay.PreventExtensions();
        return pay;
    }

    private JsValue Charge(JsValue self, JsValue[] args)
    {
        var amount = Arg(args, 0);
        var orderId = OrderId(Arg(args, 1));
        var result = Payments("pay.charge", (payments, user) =>
            payments.Charge(program.BotId, user, amount.IsNumber() ? amount.AsNumber() : double.NaN, orderId, context.Now));
        return result.Ok
            ? Result(("ok", JsBoolean.True), ("paymentId", result.PaymentId!), ("amount", JsNumber.Create(result.Amount)))
            : Result(("ok", JsBoolean.False), ("code", result.Code!), ("message", result.Message ?? ""));
    }

    private JsValue Refund(JsValue self, JsValue[] args)
    {
        var id = Arg(args, 0);
        if (!id.IsString() || id.AsString().Length is 0 or > 64)
        {
            throw TypeError(MessageText.Format(ScriptMessages.PaymentIdArgs));
        }

        var result = Payments("pay.refund", (payments, _) => payments.Refund(program.BotId, id.AsString(), context.Now), needsUser: false);
        return result.Ok
            ? Result(("ok", JsBoolean.True))
            : Result(("ok", JsBoolean.False), ("code", result.Code!), ("message", result.Message ?? ""));
    }

    /// <summary>An order id as text: a text or a whole number, 1 to 64 of <c>A-Z a-z 0-9 - _</c>.</summary>
    private string OrderId(JsValue value)
    {
        var text = value switch
        {
            _ when value.IsString() => value.AsString(),
            _ when value.IsNumber() && double.IsInteger(value.AsNumber()) && Math.Abs(value.AsNumber()) < 1e15 => ((long)value.AsNumber()).ToString(CultureInfo.InvariantCulture),
            _ => "",
        };
        if (text.Length is 0 or > 64 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw TypeError(MessageText.Format(ScriptMessages.OrderIdArgs));
        }

        return text;
    }

    /// <summary>Calls the host's payments for the user who wrote; store failures become catchable JavaScript errors.</summary>
    private T Payments<T>(string what, Func<IHookPayments, string, T> call, bool needsUser = true)
    {
        NotInsideUpdate(what);
        var payments = context.Services.Payments ?? throw new JavaScriptException(engine.Intrinsics.Error, MessageText.Format(ScriptMessages.NoPayments));
        var user = context.Input?.User;
        if (needsUser && user is null)
        {
            throw new JavaScriptException(engine.Intrinsics.Error, MessageText.Format(ScriptMessages.NoUser));
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            return call(payments, user ?? "");
        }
        catch (Exception ex) when (ex is not JintException)
        {
            throw new JavaScriptException(engine.Intrinsics.Error, $"{what} failed: {ex.Message}");
        }
        finally
        {
            HostTime(started);
        }
    }

    /// <summary>
    /// Time since <paramref name="since"/> spent in the host (waiting for a key's lock, the store's writes, the gateway)
    /// does not count toward <c>settings.hook_timeout</c>, which bounds the script's own running time: a turn that waited
    /// behind fifty buyers of the same stock, or for a gateway, is not cut short after it has charged. The reply bound
    /// still covers the whole turn.
    /// </summary>
    private void HostTime(long since)
    {
        if (engine.Constraints.Find<RunDeadline>() is { } deadline)
        {
            deadline.Extend(Stopwatch.GetTimestamp() - since);
        }
    }

    private void NotInsideUpdate(string what)
    {
        if (_inUpdate)
        {
            throw TypeError(MessageText.Format(ScriptMessages.InsideUpdate, what));
        }
    }

    private JsObject Result(params (string Name, JsValue Value)[] properties)
    {
        var result = new JsObject(engine);
        foreach (var (name, value) in properties)
        {
            result.CreateDataProperty(name, value);
        }

        return result;
    }
}
