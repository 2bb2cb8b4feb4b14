using KakaoFlow.Storage;

namespace KakaoFlow.Runtime;

/// <summary>
/// What a turn did outside its session: the <c>data.set</c>/<c>data.delete</c> calls of its hooks, buffered until the
/// turn commits, and the charges its hooks made. A failed turn (a hook threw or hit a limit) has no data changes, and
/// its charges are to be voided. See <see cref="FlowRuntime.Commit"/> and docs/commerce.md.
/// </summary>
public sealed record TurnEffects(IReadOnlyList<BotDataChange> DataChanges, IReadOnlyList<string> Charges, bool Failed)
{
    public static TurnEffects None { get; } = new([], [], false);

    public bool IsEmpty => DataChanges.Count == 0 && Charges.Count == 0;
}
