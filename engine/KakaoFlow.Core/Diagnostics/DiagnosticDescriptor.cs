using System.Globalization;
using KakaoFlow.Resources;

namespace KakaoFlow.Diagnostics;

/// <summary>
/// A kind of problem: its stable code and severity. Its title and message are resources
/// (Resources/Messages.resx, <c>KFxxx_Title</c> and <c>KFxxx_Message</c>) read in the current UI language
/// (<see cref="CultureInfo.CurrentUICulture"/>) when a diagnostic is made.
/// </summary>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity)
{
    /// <summary>
    /// The most of one quoted value a message keeps (bytes of UTF-8): a key, a step name, a parser's complaint. A
    /// diagnostic points at the place; it does not copy the file.
    /// </summary>
    public const int MaxQuoteBytes = 300;

    public string Title => TitleIn(CultureInfo.CurrentUICulture);

    /// <summary>The message with <c>{0}</c> for its arguments (and <c>{0|을}</c> for their particles: <see cref="MessageText"/>).</summary>
    public string MessageFormat => MessageFormatIn(CultureInfo.CurrentUICulture);

    public string TitleIn(CultureInfo culture) => Resource("Title", culture);

    public string MessageFormatIn(CultureInfo culture) => Resource("Message", culture);

    public Diagnostic Create(SourceSpan span, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var quoted = args.Select(arg => arg is string text ? Excerpt.Cut(text, MaxQuoteBytes) : arg).ToArray();
        return new(Severity, Code, span, MessageText.Format(MessageFormat, quoted));
    }

    private string Resource(string part, CultureInfo culture) =>
        Messages.ResourceManager.GetString($"{Code}_{part}", culture) ?? throw new InvalidOperationException($"Resources/Messages.resx has no {Code}_{part}");
}
