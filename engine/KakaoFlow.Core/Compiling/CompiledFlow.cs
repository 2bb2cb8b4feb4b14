using System.Collections.Immutable;
using System.Text.Json;
using KakaoFlow.Diagnostics;
using KakaoFlow.Hooks;
using KakaoFlow.Runtime;
using KakaoFlow.Templates;

namespace KakaoFlow.Compiling;

/// <summary>
/// A flow ready to run: immutable and shared by every request. Per-turn state lives in
/// <see cref="Session"/> and the runtime, never here.
/// </summary>
public sealed class CompiledFlow
{
    internal CompiledFlow(
        string botId,
        string name,
        string version,
        FlowSettings settings,
        FlowMessages messages,
        string? monitorPhone,
        bool privacyConsent,
        CompiledStep home,
        ImmutableDictionary<string, CompiledStep> steps,
        IScriptProgram? scripts)
    {
        BotId = botId;
        Name = name;
        Version = version;
        Settings = settings;
        Messages = messages;
        MonitorPhone = monitorPhone;
        PrivacyConsent = privacyConsent;
        Home = home;
        Steps = steps;
        Scripts = scripts;
        HomeKeyboard = home.Keyboard!;
    }

    public string BotId { get; }
    public string Name { get; }

    /// <summary>A short hash of the flow's sources; sessions and logs carry it.</summary>
    public string Version { get; }

    public FlowSettings Settings { get; }
    public FlowMessages Messages { get; }
    public string? MonitorPhone { get; }
    public bool PrivacyConsent { get; }

    public CompiledStep Home { get; }

    /// <summary>Every step by id: named steps by their name, inline steps by their button path (e.g. <c>home/메뉴 보기</c>).</summary>
    public ImmutableDictionary<string, CompiledStep> Steps { get; }

    public IScriptProgram? Scripts { get; }

    public Keyboard HomeKeyboard { get; }

    /// <summary>The variables that hold what users typed or sent: those an <c>input</c> step saves to.</summary>
    public ImmutableHashSet<string> InputVariables =>
        _inputVariables ??= [.. Steps.Values.Select(step => step.Input?.SaveAs).OfType<string>()];

    private ImmutableHashSet<string>? _inputVariables;

    /// <summary>Why the platform would refuse to start this bot (empty when it may start).</summary>
    public IReadOnlyList<string> StartBlockers =>
    [
        .. PrivacyConsent ? Array.Empty<string>() : ["privacy_consent is not true"],
        .. string.IsNullOrWhiteSpace(MonitorPhone) ? ["monitor.phone is not set"] : Array.Empty<string>(),
    ];

    public CompiledStep? FindStep(string id) => id == Session.HomeStepId ? Home : Steps.GetValueOrDefault(id);
}

public sealed record FlowSettings(
    TimeSpan ContextTtl,
    int ErrorLimitPerDay,
    TimeSpan Retention,
    HookLimits HookLimits)
{
    public static FlowSettings Default { get; } = new(TimeSpan.FromMinutes(10), 3000, TimeSpan.FromDays(30), HookLimits.Default);
}

/// <param name="Fallback">The reply to a message that matches no button.</param>
/// <param name="Error">The reply when a turn fails (a hook error, a limit, the reply bound).</param>
/// <param name="Stopped">The reply while the bot is not running.</param>
/// <param name="Home">The text of a reply that has no part of its own.</param>
/// <param name="Retry">The reply to an answer that fails its check, when the input has no retry of its own.</param>
/// <param name="Changed">The reply to a user whose step an edit of the flow removed: they are back at Home.</param>
public sealed record FlowMessages(string Fallback, string Error, string Stopped, string Home, string Retry, string Changed)
{
    public static FlowMessages Default { get; } = new(
        "아래 버튼 중에서 선택해 주세요.",
        "일시적인 오류가 발생했어요. 처음부터 다시 시작해 주세요.",
        "지금은 서비스를 잠시 쉬고 있어요.",
        "처음 화면이에요. 원하는 버튼을 선택하세요.",
        "입력한 내용을 다시 확인해 주세요.",
        "봇이 바뀌어 처음으로 돌아왔어요. 원하는 버튼을 선택해 주세요.");
}

/// <summary>One state of the machine.</summary>
public sealed class CompiledStep
{
    internal CompiledStep(string id, SourceSpan location)
    {
        Id = id;
        Location = location;
    }

    public string Id { get; }
    public SourceSpan Location { get; }

    public ImmutableArray<KeyValuePair<string, JsonElement>> Set { get; internal set; } = [];
    public PreparedScript? Hook { get; internal set; }
    public Template? Say { get; internal set; }
    public CompiledPhoto? Photo { get; internal set; }
    public CompiledLink? Link { get; internal set; }

    /// <summary>The step shown after this one's own parts (<c>goto:</c>), or null.</summary>
    public string? Goto { get; internal set; }

    /// <summary>Buttons in order with the step each leads to; null when the step has none.</summary>
    public ImmutableArray<KeyValuePair<string, string>>? Buttons { get; internal set; }

    public CompiledInput? Input { get; internal set; }

    /// <summary>The keyboard this step leaves the user with, when it ends the chain itself.</summary>
    public Keyboard? Keyboard { get; internal set; }

    /// <summary>True when the step has no keyboard of its own and no goto: its reply carries the Home keyboard.</summary>
    public bool EndsBranch => Buttons is null && Input is null && Goto is null;

    public string? TargetOf(string label)
    {
        if (Buttons is not { } buttons)
        {
            return null;
        }

        foreach (var (buttonLabel, target) in buttons)
        {
            if (buttonLabel == label)
            {
                return target;
            }
        }

        return null;
    }

    public override string ToString() => Id;
}

public sealed record CompiledPhoto(Template Url, int Width, int Height);

public sealed record CompiledLink(Template Label, Template Url);

public sealed record CompiledInput(string SaveAs, TurnKind Type, PreparedScript? Check, Template? Retry, string Next);
