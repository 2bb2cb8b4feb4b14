using System.Text.Json;
using KakaoFlow.Skill;

namespace KakaoFlow.Hosting.Skill;

/// <summary>
/// A <see cref="SkillReply"/> as the SkillResponse JSON of docs/skill-api.md:
/// <c>{"version":"2.0","template":{"outputs":[…],"quickReplies":[…]}}</c>, <c>quickReplies</c> left out when there are
/// none (a text keyboard). Written by hand like <see cref="KakaoJson"/>, Korean as UTF-8.
/// </summary>
internal static class SkillJson
{
    public static byte[] Response(SkillReply reply) => KakaoJson.Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("version", "2.0");
        writer.WriteStartObject("template");
        writer.WriteStartArray("outputs");
        foreach (var output in reply.Outputs)
        {
            WriteOutput(writer, output);
        }

        writer.WriteEndArray();
        if (!reply.QuickReplies.IsDefaultOrEmpty)
        {
            writer.WriteStartArray("quickReplies");
            foreach (var quickReply in reply.QuickReplies)
            {
                writer.WriteStartObject();
                writer.WriteString("label", quickReply.Label);
                writer.WriteString("action", "message");
                writer.WriteString("messageText", quickReply.MessageText);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static void WriteOutput(Utf8JsonWriter writer, SkillOutput output)
    {
        writer.WriteStartObject();
        switch (output)
        {
            case SimpleText text:
                writer.WriteStartObject("simpleText");
                writer.WriteString("text", text.Text);
                writer.WriteEndObject();
                break;
            case SimpleImage image:
                writer.WriteStartObject("simpleImage");
                writer.WriteString("imageUrl", image.ImageUrl);
                writer.WriteString("altText", image.AltText);
                writer.WriteEndObject();
                break;
            case TextCard card:
                writer.WriteStartObject("textCard");
                writer.WriteString("description", card.Description);
                writer.WriteStartArray("buttons");
                writer.WriteStartObject();
                writer.WriteString("action", "webLink");
                writer.WriteString("label", card.Button.Label);
                writer.WriteString("webLinkUrl", card.Button.Url);
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(output), output.GetType().Name, "not a SkillResponse component");
        }

        writer.WriteEndObject();
    }
}
