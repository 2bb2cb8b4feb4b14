using System.Collections.Immutable;

namespace KakaoFlow.Skill;

/// <summary>One bubble of a SkillResponse (<c>template.outputs</c>).</summary>
public abstract record SkillOutput;

/// <summary><c>{"simpleText": {"text"}}</c>.</summary>
public sealed record SimpleText(string Text) : SkillOutput;

/// <summary><c>{"simpleImage": {"imageUrl", "altText"}}</c>; both are required by the platform.</summary>
public sealed record SimpleImage(string ImageUrl, string AltText) : SkillOutput;

/// <summary><c>{"textCard": {"description", "buttons": [one webLink button]}}</c>.</summary>
public sealed record TextCard(string Description, WebLinkButton Button) : SkillOutput;

/// <summary>A card button that opens <see cref="Url"/>: <c>{"action": "webLink", "label", "webLinkUrl"}</c>.</summary>
public sealed record WebLinkButton(string Label, string Url);

/// <summary>
/// A quick reply: <see cref="Label"/> is what the user sees (cut to 14 characters), <see cref="MessageText"/> what
/// pressing it sends as the user's utterance (the whole label, so the flow matches it).
/// </summary>
public sealed record QuickReply(string Label, string MessageText);

/// <summary>A KakaoFlow reply as an Open Builder skill answers it: 1 to 3 outputs and at most 10 quick replies.</summary>
public sealed record SkillReply(ImmutableArray<SkillOutput> Outputs, ImmutableArray<QuickReply> QuickReplies);
