using System.Collections.Immutable;
using KakaoFlow.Runtime;

namespace KakaoFlow.Skill;

/// <summary>
/// A <see cref="Reply"/> as a SkillResponse shows it (docs/skill-api.md): pure, the same reply always gives the
/// same outputs. The text comes first, then the photo:
/// <list type="bullet">
/// <item>a text alone is a <c>simpleText</c>;</item>
/// <item>a text with a link is one <c>textCard</c> (the text as its description, the link as its button); a text too
/// long for a description (400) stays a <c>simpleText</c>, followed by a card with the link's label as description;</item>
/// <item>a link alone is a card with its label as description;</item>
/// <item>a photo is a <c>simpleImage</c> with <see cref="AltText"/> (a flow's photo has no text of its own).</item>
/// </list>
/// A buttons keyboard becomes quick replies (a keyboard of more than 10 shows its first page, <see cref="SkillPages"/>);
/// a text keyboard none.
/// </summary>
public static class SkillRendering
{
    /// <summary>The <c>altText</c> of every photo: the platform requires one, and a flow's photo has only a URL and a size.</summary>
    public const string AltText = "사진";

    public static SkillReply Render(Reply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return new SkillReply(Outputs(reply.Message), QuickReplies(reply.Keyboard));
    }

    private static ImmutableArray<SkillOutput> Outputs(ReplyMessage message)
    {
        var outputs = ImmutableArray.CreateBuilder<SkillOutput>(SkillLimits.MaxOutputs);

        // The runtime cuts long texts (and counts the cut); this keeps a hand-made reply valid too.
        var text = message.Text is { Length: > 0 } written ? TextLength.Truncate(written, SkillLimits.MaxText) : null;
        var button = message.Link is { } link ? new WebLinkButton(SkillLimits.Label(link.Label), link.Url) : null;
        if (text is not null && button is not null && TextLength.Of(text) <= SkillLimits.MaxDescription)
        {
            outputs.Add(new TextCard(text, button));
        }
        else
        {
            if (text is not null)
            {
                outputs.Add(new SimpleText(text));
            }

            if (button is not null)
            {
                outputs.Add(new TextCard(TextLength.Truncate(message.Link!.Label, SkillLimits.MaxDescription), button));
            }
        }

        if (message.Photo is { } photo)
        {
            outputs.Add(new SimpleImage(photo.Url, AltText));
        }

        if (outputs.Count == 0)
        {
            // The runtime never sends an empty reply; a response must still have one output.
            outputs.Add(new SimpleText("…"));
        }

        return outputs.ToImmutable();
    }

    private static ImmutableArray<QuickReply> QuickReplies(Keyboard keyboard)
    {
        if (keyboard.Kind == KeyboardKind.Text)
        {
            return [];
        }

        return [.. SkillPages.View(keyboard, 0).Buttons.Select(label => new QuickReply(SkillLimits.Label(label), label))];
    }
}
