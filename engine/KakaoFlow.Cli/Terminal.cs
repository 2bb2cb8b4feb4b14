namespace KakaoFlow.Cli;

/// <summary>Colour when writing to a terminal (and NO_COLOR is unset); plain text for pipes and tools.</summary>
public sealed class Terminal(bool color)
{
    public static Terminal Plain { get; } = new(false);

    public bool Color { get; } = color;

    public static Terminal For(TextWriter writer) =>
        new(ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null);

    public string Red(string text) => Paint(text, "31");
    public string Yellow(string text) => Paint(text, "33");
    public string Green(string text) => Paint(text, "32");
    public string Cyan(string text) => Paint(text, "36");
    public string Bold(string text) => Paint(text, "1");

    private string Paint(string text, string code) => Color ? $"\u001b[{code}m{text}\u001b[0m" : text;
}
