using KakaoFlow.Runtime;
using KakaoFlow.Skill;

namespace KakaoFlow.Scenarios;

/// <summary>
/// A reply as an Open Builder user sees it, in the layout of a scenario transcript (<c>channel: skill</c>): each
/// output of the SkillResponse, then the quick replies with their labels as shown (cut to 14 characters, with what
/// a cut one sends) and the page controls <c>다음</c>/<c>이전</c>.
/// </summary>
internal static class SkillTranscript
{
    /// <summary>What a skill user sees before the bot's first answer: Open Builder has no keyboard call.</summary>
    public const string BeforeFirstAnswer = "  quickReplies: none until the bot first answers";

    public static IEnumerable<string> Lines(Reply reply)
    {
        var skill = SkillRendering.Render(reply);
        foreach (var output in skill.Outputs)
        {
            switch (output)
            {
                case SimpleText text:
                    yield return "  simpleText:";
                    foreach (var line in TextLines(text.Text))
                    {
                        yield return line;
                    }

                    break;
                case TextCard card:
                    yield return "  textCard:";
                    foreach (var line in TextLines(card.Description))
                    {
                        yield return line;
                    }

                    yield return $"    button: {card.Button.Label} <{card.Button.Url}>";
                    break;
                case SimpleImage image:
                    yield return $"  simpleImage: {image.ImageUrl} (alt: {image.AltText})";
                    break;
            }
        }

        if (skill.QuickReplies.IsEmpty)
        {
            yield return "  quickReplies: none (free input)";
            yield break;
        }

        yield return "  quickReplies:";
        foreach (var quickReply in skill.QuickReplies)
        {
            yield return quickReply.Label == quickReply.MessageText
                ? $"    - {quickReply.Label}"
                : $"    - {quickReply.Label} (sends {quickReply.MessageText})";
        }
    }

    /// <summary>A text's lines behind the transcript's bar, as <see cref="ReplyFormatter.Transcript"/> writes them (its heading left out).</summary>
    private static IEnumerable<string> TextLines(string text) =>
        ReplyFormatter.Transcript.MessageLines(new ReplyMessage(text, null, null)).Skip(1);
}
