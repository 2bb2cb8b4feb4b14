namespace KakaoFlow.Diagnostics;

/// <summary>
/// Every diagnostic KakaoFlow reports. Codes are stable: never renumber, only add.
/// docs/diagnostics.md shows each with a bad example and its fix; a test keeps the two in step.
/// </summary>
public static class DiagnosticCodes
{
    private const DiagnosticSeverity E = DiagnosticSeverity.Error;
    private const DiagnosticSeverity W = DiagnosticSeverity.Warning;

    public static readonly DiagnosticDescriptor YamlSyntax = new("KF001", E, "YAML syntax error", "YAML syntax error: {0}");
    public static readonly DiagnosticDescriptor DuplicateKey = new("KF002", E, "Duplicate key", "key '{0}' appears twice in one mapping; the first is at line {1}, column {2}");
    public static readonly DiagnosticDescriptor AliasLimit = new("KF003", E, "Aliases expand too far", "YAML aliases expand to more than {0} nodes; flow files this large are refused");
    public static readonly DiagnosticDescriptor UnknownKey = new("KF004", E, "Unknown key", "unknown key '{0}' in {1}");
    public static readonly DiagnosticDescriptor WrongShape = new("KF005", E, "Wrong kind of value", "{0} must be {1}");
    public static readonly DiagnosticDescriptor MissingKey = new("KF006", E, "Missing key", "{0} needs '{1}'");
    public static readonly DiagnosticDescriptor UnknownGotoTarget = new("KF010", E, "Unknown goto target", "goto target '{0}' is not a step");
    public static readonly DiagnosticDescriptor DuplicateLabel = new("KF011", E, "Duplicate button label", "button '{0}' appears twice on one keyboard; the first is at line {1}");
    public static readonly DiagnosticDescriptor TextTooLong = new("KF012", E, "Text too long", "text is {0} characters; KakaoTalk allows at most 1000");
    public static readonly DiagnosticDescriptor PhotoWithoutSize = new("KF013", E, "Photo without size", "photo needs '{0}' (url, width and height are all required)");
    public static readonly DiagnosticDescriptor EmptyButtons = new("KF014", E, "Empty buttons", "a buttons keyboard needs at least one button");
    public static readonly DiagnosticDescriptor ConflictingNext = new("KF015", E, "Conflicting next parts", "a step can have only one of 'buttons', 'input' and 'goto'; this one has {0}");
    public static readonly DiagnosticDescriptor ScriptSyntax = new("KF016", E, "JavaScript syntax error", "JavaScript syntax error: {0}");
    public static readonly DiagnosticDescriptor GotoCycle = new("KF017", E, "Goto cycle", "goto chain loops forever: {0}");
    public static readonly DiagnosticDescriptor UnreachableStep = new("KF018", W, "Unreachable step", "step '{0}' is never reached from home");
    public static readonly DiagnosticDescriptor MissingMonitorPhone = new("KF019", W, "No monitoring phone", "monitor.phone is not set; the bot cannot be started without a phone for monitoring messages");
    public static readonly DiagnosticDescriptor MissingPrivacyConsent = new("KF020", W, "No privacy consent", "privacy_consent is not true; the bot cannot be started until the owner agrees to the personal-data terms");
    public static readonly DiagnosticDescriptor InvalidDuration = new("KF021", E, "Invalid duration", "'{0}' is not a duration; write a number and a unit, like 500ms, 30s, 10m, 2h or 30d");
    public static readonly DiagnosticDescriptor VariableNeverSet = new("KF022", W, "Variable never set", "variable '{0}' is never set; it prints as empty");
    public static readonly DiagnosticDescriptor InvalidUrl = new("KF023", E, "Invalid URL", "'{0}' is not an absolute http(s) URL");
    public static readonly DiagnosticDescriptor InvalidSetting = new("KF024", E, "Invalid setting", "{0} must be {1}");
    public static readonly DiagnosticDescriptor ScriptFileMissing = new("KF025", E, "Script file missing", "script file '{0}' was not found next to the flow");
    public static readonly DiagnosticDescriptor FlowFileUnreadable = new("KF026", E, "Flow file unreadable", "cannot read the flow: {0}");
    public static readonly DiagnosticDescriptor ReservedStepName = new("KF027", E, "Reserved step name", "'{0}' is reserved and cannot name a step");
    public static readonly DiagnosticDescriptor EmptyLabel = new("KF028", E, "Empty button label", "a button label cannot be empty");
    public static readonly DiagnosticDescriptor InvalidInputType = new("KF029", E, "Invalid input type", "input type '{0}' is not 'text' or 'photo'");
    public static readonly DiagnosticDescriptor ScriptsUnavailable = new("KF030", E, "JavaScript unavailable", "this flow uses JavaScript but no script engine is configured");

    // Limits of the Open Builder skill channel (docs/skill-api.md): the flow still works there, shown differently.
    public static readonly DiagnosticDescriptor TooManyQuickReplies = new("KF031", W, "Too many buttons for Open Builder", "{0} buttons on one keyboard; Open Builder shows at most 10 quick replies, so they are shown in {1} pages with '다음' and '이전'");
    public static readonly DiagnosticDescriptor LabelTooLong = new("KF032", W, "Label too long for Open Builder", "label '{0}' is {1} characters; Open Builder shows at most 14, so users there see '{2}'");

    // The files of a bot folder: only inside it (links followed), at most 1 MiB each.
    public static readonly DiagnosticDescriptor FileOutsideFolder = new("KF033", E, "File outside the bot folder", "'{0}' leads outside the bot folder (through '..', an absolute path or a symbolic link); a flow reads only files inside its folder");
    public static readonly DiagnosticDescriptor FileTooLarge = new("KF034", E, "File too large", "'{0}' is {1} bytes; a flow file or script may be at most {2} bytes (1 MiB)");

    // Korean particles in templates: {{name|을}}.
    public static readonly DiagnosticDescriptor UnknownParticle = new("KF050", E, "Unknown particle", "'{0}' after '|' is not a particle KakaoFlow can choose; write one of 을 를 이 가 은 는 과 와 으로 로 이나 나 이랑 랑 아 야 이에요 예요");
    public static readonly DiagnosticDescriptor HedgedParticle = new("KF051", W, "Hedged particle", "'{{{{{0}}}}}{1}' shows both forms of the particle; write '{{{{{0}|{2}}}}}' and the right one is printed");

    // Test scenarios (flows/<bot>/tests/*.yaml), reported by `kakaoflow test`. Scenario files also get
    // KF001-KF006 (YAML and shape), KF021 (a wait that is not a duration) and KF023 (a photo that is not a URL).
    public static readonly DiagnosticDescriptor InvalidScenarioTurn = new("KF040", E, "Invalid scenario turn", "a turn needs exactly one of user, wait, photo and as; this one has {0}");
    public static readonly DiagnosticDescriptor UnknownStartStep = new("KF041", E, "Unknown start step", "start '{0}' is not a step of this flow");
    public static readonly DiagnosticDescriptor ScenarioFileUnreadable = new("KF042", E, "Scenario file unreadable", "cannot read the scenario: {0}");

    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
    [
        YamlSyntax, DuplicateKey, AliasLimit, UnknownKey, WrongShape, MissingKey,
        UnknownGotoTarget, DuplicateLabel, TextTooLong, PhotoWithoutSize, EmptyButtons, ConflictingNext,
        ScriptSyntax, GotoCycle, UnreachableStep, MissingMonitorPhone, MissingPrivacyConsent, InvalidDuration,
        VariableNeverSet, InvalidUrl, InvalidSetting, ScriptFileMissing, FlowFileUnreadable, ReservedStepName,
        EmptyLabel, InvalidInputType, ScriptsUnavailable, TooManyQuickReplies, LabelTooLong, FileOutsideFolder, FileTooLarge,
        UnknownParticle, HedgedParticle,
        InvalidScenarioTurn, UnknownStartStep, ScenarioFileUnreadable,
    ];
}
