namespace KakaoFlow.Diagnostics;

/// <summary>
/// Every diagnostic KakaoFlow reports. Codes are stable: never renumber, only add. Each code's title and message are
/// in Resources/Messages.resx (English) and Messages.ko.resx (Korean), as <c>KFxxx_Title</c> and <c>KFxxx_Message</c>.
/// docs/diagnostics.md and docs/diagnostics.ko.md show each with a bad example and its fix; tests keep them in step.
/// </summary>
public static class DiagnosticCodes
{
    private const DiagnosticSeverity E = DiagnosticSeverity.Error;
    private const DiagnosticSeverity W = DiagnosticSeverity.Warning;

    public static readonly DiagnosticDescriptor YamlSyntax = new("KF001", E);
    public static readonly DiagnosticDescriptor DuplicateKey = new("KF002", E);
    public static readonly DiagnosticDescriptor AliasLimit = new("KF003", E);
    public static readonly DiagnosticDescriptor UnknownKey = new("KF004", E);
    public static readonly DiagnosticDescriptor WrongShape = new("KF005", E);
    public static readonly DiagnosticDescriptor MissingKey = new("KF006", E);
    public static readonly DiagnosticDescriptor UnknownGotoTarget = new("KF010", E);
    public static readonly DiagnosticDescriptor DuplicateLabel = new("KF011", E);
    public static readonly DiagnosticDescriptor TextTooLong = new("KF012", E);
    public static readonly DiagnosticDescriptor PhotoWithoutSize = new("KF013", E);
    public static readonly DiagnosticDescriptor EmptyButtons = new("KF014", E);
    public static readonly DiagnosticDescriptor ConflictingNext = new("KF015", E);
    public static readonly DiagnosticDescriptor ScriptSyntax = new("KF016", E);
    public static readonly DiagnosticDescriptor GotoCycle = new("KF017", E);
    public static readonly DiagnosticDescriptor UnreachableStep = new("KF018", W);
    public static readonly DiagnosticDescriptor MissingMonitorPhone = new("KF019", W);
    public static readonly DiagnosticDescriptor MissingPrivacyConsent = new("KF020", W);
    public static readonly DiagnosticDescriptor InvalidDuration = new("KF021", E);
    public static readonly DiagnosticDescriptor VariableNeverSet = new("KF022", W);
    public static readonly DiagnosticDescriptor InvalidUrl = new("KF023", E);
    public static readonly DiagnosticDescriptor InvalidSetting = new("KF024", E);
    public static readonly DiagnosticDescriptor ScriptFileMissing = new("KF025", E);
    public static readonly DiagnosticDescriptor FlowFileUnreadable = new("KF026", E);
    public static readonly DiagnosticDescriptor ReservedStepName = new("KF027", E);
    public static readonly DiagnosticDescriptor EmptyLabel = new("KF028", E);
    public static readonly DiagnosticDescriptor InvalidInputType = new("KF029", E);
    public static readonly DiagnosticDescriptor ScriptsUnavailable = new("KF030", E);

    // Limits of the Open Builder skill channel (docs/skill-api.md): the flow still works there, shown differently.
    public static readonly DiagnosticDescriptor TooManyQuickReplies = new("KF031", W);
    public static readonly DiagnosticDescriptor LabelTooLong = new("KF032", W);
    public static readonly DiagnosticDescriptor CardTextTooLong = new("KF035", W);

    // The files of a bot folder: only inside it (links followed), at most 1 MiB each.
    public static readonly DiagnosticDescriptor FileOutsideFolder = new("KF033", E);
    public static readonly DiagnosticDescriptor FileTooLarge = new("KF034", E);

    // Korean particles in templates: {{name|을}}.
    public static readonly DiagnosticDescriptor UnknownParticle = new("KF050", E);
    public static readonly DiagnosticDescriptor HedgedParticle = new("KF051", W);

    // Mistakes as people make them (issue 18).
    public static readonly DiagnosticDescriptor NextBesideInput = new("KF060", E);
    public static readonly DiagnosticDescriptor LabelWithSpaces = new("KF061", W);
    public static readonly DiagnosticDescriptor TextCutByComment = new("KF062", W);
    public static readonly DiagnosticDescriptor SingleBraces = new("KF063", W);
    public static readonly DiagnosticDescriptor UnclosedPlaceholder = new("KF064", W);
    public static readonly DiagnosticDescriptor UnknownTextProperty = new("KF065", W);

    // Test scenarios (flows/<bot>/tests/*.yaml), reported by `kakaoflow test`. Scenario files also get
    // KF001-KF006 (YAML and shape), KF021 (a wait that is not a duration) and KF023 (a photo that is not a URL).
    public static readonly DiagnosticDescriptor InvalidScenarioTurn = new("KF040", E);
    public static readonly DiagnosticDescriptor UnknownStartStep = new("KF041", E);
    public static readonly DiagnosticDescriptor ScenarioFileUnreadable = new("KF042", E);

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
    [
        YamlSyntax, DuplicateKey, AliasLimit, UnknownKey, WrongShape, MissingKey,
        UnknownGotoTarget, DuplicateLabel, TextTooLong, PhotoWithoutSize, EmptyButtons, ConflictingNext,
        ScriptSyntax, GotoCycle, UnreachableStep, MissingMonitorPhone, MissingPrivacyConsent, InvalidDuration,
        VariableNeverSet, InvalidUrl, InvalidSetting, ScriptFileMissing, FlowFileUnreadable, ReservedStepName,
        EmptyLabel, InvalidInputType, ScriptsUnavailable, TooManyQuickReplies, LabelTooLong, CardTextTooLong, FileOutsideFolder, FileTooLarge,
        UnknownParticle, HedgedParticle,
        NextBesideInput, LabelWithSpaces, TextCutByComment, SingleBraces, UnclosedPlaceholder, UnknownTextProperty,
        InvalidScenarioTurn, UnknownStartStep, ScenarioFileUnreadable,
    ];
}
