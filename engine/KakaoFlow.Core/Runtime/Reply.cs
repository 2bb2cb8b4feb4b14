using System.Collections.Immutable;

namespace KakaoFlow.Runtime;

public enum KeyboardKind
{
    Buttons,
    Text,
}

/// <summary>What the user's input area shows after a reply.</summary>
public sealed record Keyboard(KeyboardKind Kind, ImmutableArray<string> Buttons)
{
    public static Keyboard Text { get; } = new(KeyboardKind.Text, []);

    public static Keyboard OfButtons(IEnumerable<string> labels) => new(KeyboardKind.Buttons, [.. labels]);

    public bool Equals(Keyboard? other) => other is not null && Kind == other.Kind && Buttons.SequenceEqual(other.Buttons);

    public override int GetHashCode() => HashCode.Combine(Kind, Buttons.Length);
}

public sealed record ReplyPhoto(string Url, int Width, int Height);

public sealed record ReplyLink(string Label, string Url);

/// <summary>The reply bubble: at least one part is always set by the runtime.</summary>
public sealed record ReplyMessage(string? Text, ReplyPhoto? Photo, ReplyLink? Link);

public sealed record Reply(ReplyMessage Message, Keyboard Keyboard);
