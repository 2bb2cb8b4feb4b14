namespace KakaoFlow.Runtime;

public enum TurnKind
{
    Text,
    Photo,
}

/// <summary>What the user sent this turn: a button label or typed text, or a photo URL.</summary>
public sealed record Turn(TurnKind Kind, string Content)
{
    /// <summary>Who sent it (the user_key, or a skill user's key): <c>pay</c> needs it. Never shown to hooks.</summary>
    public string? User { get; init; }

    public static Turn Text(string content) => new(TurnKind.Text, content);

    public static Turn Photo(string url) => new(TurnKind.Photo, url);
}
