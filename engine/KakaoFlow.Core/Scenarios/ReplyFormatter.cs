using System.Globalization;
using System.Text;
using KakaoFlow.Diagnostics;
using KakaoFlow.Runtime;

namespace KakaoFlow.Scenarios;

/// <summary>
/// A bot reply written out for people, one item per line: the text bubble, the photo, the link button, the
/// keyboard and what went wrong. The scenario transcript and the chat simulator show replies the same way and
/// differ only in decoration, so each is one layout of this formatter: <see cref="Transcript"/> (pinned by the
/// verified files) and <see cref="Terminal"/> (numbered buttons under the client's guide line).
/// </summary>
public sealed class ReplyFormatter
{
    /// <summary>The line the KakaoTalk client shows above buttons; fixed by the platform.</summary>
    public const string ButtonGuide = "원하는 버튼을 선택하세요";

    /// <summary>The layout of a scenario transcript: every part is labelled, text lines sit behind a bar.</summary>
    public static ReplyFormatter Transcript { get; } = new(
        textHeading: "  text:",
        textIndent: "    | ",
        photo: "  photo: {0} ({1}x{2})",
        link: "  link: {0} <{1}>",
        textKeyboard: "  keyboard: text (free input)",
        buttonsHeading: "  keyboard:",
        button: "    - {1}",
        issueTag: "  error: ");

    /// <summary>The layout of <c>kakaoflow chat</c>: the text as the bubble shows it, buttons numbered for typing.</summary>
    public static ReplyFormatter Terminal { get; } = new(
        textHeading: null,
        textIndent: "  ",
        photo: "  [photo] {0} ({1}x{2})",
        link: "  [link] {0} → {1}",
        textKeyboard: null,
        buttonsHeading: ButtonGuide,
        button: "  {0}) {1}",
        issueTag: "  ! ");

    private readonly string? _textHeading;
    private readonly string _textIndent;
    private readonly CompositeFormat _photo;
    private readonly CompositeFormat _link;
    private readonly string? _textKeyboard;
    private readonly string _buttonsHeading;
    private readonly CompositeFormat _button;
    private readonly string _issueTag;

    /// <param name="textHeading">The line above the text, if any.</param>
    /// <param name="textIndent">Put before every line of text (an empty line keeps it without trailing spaces).</param>
    /// <param name="photo">The photo line: {0} URL, {1} width, {2} height.</param>
    /// <param name="link">The link button line: {0} label, {1} URL.</param>
    /// <param name="textKeyboard">The line for a free-input keyboard, if any.</param>
    /// <param name="buttonsHeading">The line above the buttons.</param>
    /// <param name="button">One button's line: {0} its number from 1, {1} its label.</param>
    /// <param name="issueTag">Put before each runtime issue.</param>
    private ReplyFormatter(
        string? textHeading,
        string textIndent,
        string photo,
        string link,
        string? textKeyboard,
        string buttonsHeading,
        string button,
        string issueTag)
    {
        _textHeading = textHeading;
        _textIndent = textIndent;
        _photo = CompositeFormat.Parse(photo);
        _link = CompositeFormat.Parse(link);
        _textKeyboard = textKeyboard;
        _buttonsHeading = buttonsHeading;
        _button = CompositeFormat.Parse(button);
        _issueTag = issueTag;
    }

    /// <summary>The reply bubble: its text line by line, then the photo, then the link button.</summary>
    public IEnumerable<string> MessageLines(ReplyMessage message)
    {
        if (message.Text is { } text)
        {
            if (_textHeading is not null)
            {
                yield return _textHeading;
            }

            foreach (var line in text.ReplaceLineEndings("\n").Split('\n'))
            {
                yield return line.Length == 0 ? _textIndent.TrimEnd() : _textIndent + line;
            }
        }

        if (message.Photo is { } photo)
        {
            yield return string.Format(CultureInfo.InvariantCulture, _photo, photo.Url, photo.Width, photo.Height);
        }

        if (message.Link is { } link)
        {
            yield return string.Format(CultureInfo.InvariantCulture, _link, link.Label, link.Url);
        }
    }

    /// <summary>What the input area shows: the buttons in order, or (where the layout says so) free input.</summary>
    public IEnumerable<string> KeyboardLines(Keyboard keyboard)
    {
        if (keyboard.Kind == KeyboardKind.Text)
        {
            if (_textKeyboard is not null)
            {
                yield return _textKeyboard;
            }

            yield break;
        }

        yield return _buttonsHeading;
        for (var i = 0; i < keyboard.Buttons.Length; i++)
        {
            yield return string.Format(CultureInfo.InvariantCulture, _button, i + 1, keyboard.Buttons[i]);
        }
    }

    /// <summary>One thing that went wrong in the turn, with its place in the bot's files as <paramref name="where"/> writes it.</summary>
    public string IssueLine(RuntimeIssue issue, Func<SourceSpan, string> where)
    {
        ArgumentNullException.ThrowIfNull(issue);
        ArgumentNullException.ThrowIfNull(where);
        var at = issue.Location is { } location ? " at " + where(location) : "";
        var detail = issue.ScriptDetail is null ? "" : " — " + issue.ScriptDetail;
        return $"{_issueTag}{issue.Kind}{at}: {issue.Message}{detail}";
    }
}
