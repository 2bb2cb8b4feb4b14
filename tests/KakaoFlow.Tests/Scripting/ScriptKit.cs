using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Model;
using KakaoFlow.Runtime;
using KakaoFlow.Scripting;
using KakaoFlow.Storage;

namespace KakaoFlow.Tests.Scripting;

/// <summary>Builds programs from script text placed in a pretend flow.yaml, and runs them.</summary>
internal sealed class ScriptKit
{
    public const string FlowFile = "flows/pizza/flow.yaml";
    public const string BotId = "pizza";

    /// <summary>A fixed clock: 2026-03-01 09:30:00 in Seoul.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 0, 30, 0, TimeSpan.Zero);

    private readonly IScriptProgramBuilder _builder;

    public ScriptKit(HookLimits? limits = null) => _builder = new JintScriptCompiler().CreateProgram(BotId, limits ?? HookLimits.Default);

    public DiagnosticBag Diagnostics { get; } = new();

    /// <summary>Script text written as a block scalar (<c>js: |</c>) whose content starts at line 10, column 7.</summary>
    public static SourceText Block(string code, int firstLine = 10, int firstColumn = 7) =>
        new(code, new SourceSpan(FlowFile, firstLine, firstColumn), new ContentOrigin(FlowFile, firstLine, firstColumn, IsBlock: true));

    /// <summary>A one-line plain scalar (<c>check: value.length &gt;= 5</c>) starting at line 20, column 14.</summary>
    public static SourceText Inline(string code, int line = 20, int column = 14) =>
        new(code, new SourceSpan(FlowFile, line, column), new ContentOrigin(FlowFile, line, column, IsBlock: false));

    public static SourceText JsFile(string code, string file = "flows/pizza/menu.js") =>
        new(code, new SourceSpan(file, 1, 1), new ContentOrigin(file, 1, 1, IsBlock: true));

    public void Shared(string code, string file = "flows/pizza/menu.js") => _builder.AddSharedScript(JsFile(code, file), Diagnostics);

    public PreparedScript Hook(string code) =>
        _builder.AddHook(Block(code), Diagnostics) ?? throw new InvalidOperationException(string.Join("\n", Diagnostics.Items));

    public PreparedScript Check(string code) =>
        _builder.AddCheck(Inline(code), Diagnostics) ?? throw new InvalidOperationException(string.Join("\n", Diagnostics.Items));

    public IScriptProgram Build() => _builder.Build();

    /// <summary>Compiles one hook and runs it once.</summary>
    public static HookOutcome RunHook(string code, HookContext? context = null, HookLimits? limits = null)
    {
        var kit = new ScriptKit(limits);
        var hook = kit.Hook(code);
        return kit.Build().Run(hook, context ?? Context());
    }

    public static HookContext Context(
        ImmutableDictionary<string, JsonElement>? vars = null,
        Turn? input = null,
        HookServices? services = null,
        CancellationToken cancellation = default) =>
        new(BotId, vars ?? Vars(), input, Now, services ?? HookServices.None, cancellation);

    public static ImmutableDictionary<string, JsonElement> Vars(params (string Name, JsonElement Value)[] vars) =>
        ImmutableDictionary<string, JsonElement>.Empty.WithComparers(StringComparer.Ordinal).AddRange(vars.Select(v => KeyValuePair.Create(v.Name, v.Value)));

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>
    /// Runs <paramref name="action"/> on a thread of its own with a 1.5 MB stack and fails when it does not return within
    /// <paramref name="seconds"/>. How deep a script may recurse before the stack guard stops it follows the stack of
    /// the thread it runs on, and a thread pool's stack differs between machines (1.5 MB here, more on others): a fixed
    /// size makes the depth tests mean the same everywhere.
    /// </summary>
    public static T Returns<T>(Func<T> action, int seconds = 20)
    {
        const int StackBytes = 1536 * 1024;
        var task = new Task<T>(action);
        var thread = new Thread(() => task.RunSynchronously(TaskScheduler.Default), StackBytes) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(seconds)), $"did not return within {seconds} s");
        return task.GetAwaiter().GetResult();
    }

    public static HookFailure Fails(HookOutcome outcome, HookFailureKind kind)
    {
        Assert.NotNull(outcome.Failure);
        Assert.True(outcome.Failure.Kind == kind, $"expected {kind}, got {outcome.Failure.Kind}: {outcome.Failure.Message}");
        return outcome.Failure;
    }
}

internal sealed class MemoryDataStore : IBotDataStore
{
    private readonly ConcurrentDictionary<(string Bot, string Key), JsonElement> _items = new();

    public JsonElement? Get(string botId, string key) => _items.TryGetValue((botId, key), out var v) ? v : null;

    public void Set(string botId, string key, JsonElement value) => _items[(botId, key)] = value.Clone();

    public bool Delete(string botId, string key) => _items.TryRemove((botId, key), out _);

    public IReadOnlyList<string> Keys(string botId) => [.. _items.Keys.Where(k => k.Bot == botId).Select(k => k.Key).Order(StringComparer.Ordinal)];

    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change, long limitBytes)
    {
        lock (_items)
        {
            var next = change(Get(botId, key)).Clone();
            _items[(botId, key)] = next;
            return next;
        }
    }
}

internal sealed class FailingDataStore : IBotDataStore
{
    public JsonElement? Get(string botId, string key) => throw new IOException("디스크 오류");

    public void Set(string botId, string key, JsonElement value) => throw new IOException("디스크 오류");

    public bool Delete(string botId, string key) => throw new IOException("디스크 오류");

    public IReadOnlyList<string> Keys(string botId) => throw new IOException("디스크 오류");

    public JsonElement Update(string botId, string key, Func<JsonElement?, JsonElement> change, long limitBytes) => throw new IOException("디스크 오류");
}

internal sealed class ListLog : IHookLog
{
    public ConcurrentQueue<(string Bot, SourceSpan Location, string Message)> Lines { get; } = new();

    public void Write(string botId, SourceSpan location, string message) => Lines.Enqueue((botId, location, message));
}
