using KakaoFlow.Hooks;

namespace KakaoFlow.Scripting;

/// <summary>Every message the sandbox writes (diagnostics, failures, host-API errors), in one place.</summary>
internal static class ScriptMessages
{
    public const string CheckNotExpression = "a check must be one expression over 'value', like value.length >= 5";

    public const string HostNameTaken = "'{0}' is already defined by KakaoFlow (vars, input, value, reply, say, photo, link, buttons, goto, data, now, log); choose another name";

    public const string Timeout = "the hook ran longer than its time limit of {0} ms";
    public const string Cancelled = "the turn was cancelled while the hook ran";
    public const string RegexTimeout = "a regular expression took longer than {0} ms (catastrophic backtracking?)";
    public const string Statements = "the hook ran more than {0} statements";
    public const string Recursion = "the hook recursed deeper than {0} calls{1}";
    public const string Memory = "the hook used more memory than allowed: {0}";
    public const string Stack = "the hook nested calls too deeply: {0}";
    public const string OutOfMemory = "the hook tried to build a value too large for memory";
    public const string Internal = "internal error while running the hook: {0}";

    public const string ValueTooLarge = "{0} is larger than {1} bytes as JSON";
    public const string ValueTooDeep = "{0} nests objects and arrays deeper than {1} levels";
    public const string ValueBigInt = "{0} holds a BigInt, which JSON cannot store";
    public const string ValueCycle = "{0} refers to itself, which JSON cannot store";

    public const string NoDataStore = "data is not available here (no store configured)";
    public const string DataFailed = "data.{0} failed: {1}";
    public const string BadKey = "a data key must be a non-empty text of at most {0} characters";
    public const string DataUndefined = "data.set needs a value; use data.delete to remove a key";

    public const string SayNeedsText = "say(text) needs a text";
    public const string PhotoArgs = "photo(url, width, height) needs an http(s) URL and two positive whole numbers";
    public const string LinkArgs = "link(label, url) needs a label and an http(s) URL";
    public const string ButtonsArgs = "buttons([...labels], {{ save, next }}) needs an array of 1 to {0} labels";
    public const string ButtonsEmptyLabel = "buttons: a label cannot be empty";
    public const string ButtonsDuplicate = "buttons: label '{0}' appears twice";
    public const string ButtonsOptions = "buttons: options accept only 'save' and 'next' (texts); got '{0}'";
    public const string GotoArgs = "goto(step) needs a step name";
    public const string JosaArgs = "josa(value, particle) needs a particle such as '을', '이', '은', '과', '으로', '이나', '이랑', '아' or '이에요'";
    public const string StringTooLong = "Invalid string length: more than {0} characters";
    public const string LogLimit = "(log limit of {0} messages per run reached; later messages dropped)";
}
