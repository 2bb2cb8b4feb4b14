using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KakaoFlow.Cli.Language;
using KakaoFlow.Cli.Resources;
using KakaoFlow.Compiling;

namespace KakaoFlow.Cli;

/// <summary>
/// <c>kakaoflow new BOT [--in FLOWS_DIR]</c>: a small, commented starter bot (Home with a few buttons, one branch, one
/// input with a check, one scenario test with its verified transcript) that passes <c>check</c> and <c>test</c> as it is.
/// </summary>
public static partial class NewCommand
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>A bot id is its folder name and its URL segment: letters, digits, '-' and '_'.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex BotId();

    public static Command Create(ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(io);
        var bot = new Argument<string>("BOT") { Description = "the new bot's id: its folder name and URL segment (letters, digits, - and _)" };
        CommandLine.RefuseOptionLikeValues(bot);
        var into = new Option<string>("--in")
        {
            Description = "the folder of bots to create it in",
            DefaultValueFactory = _ => "flows",
        };
        var command = new Command("new", "Write a small, commented starter bot that passes check and test as it is.") { bot, into };
        command.SetAction(parse => Run(parse.GetValue(bot)!, parse.GetValue(into)!, io));
        return command;
    }

    public static int Run(string botId, string flowsDirectory, ConsoleIo io)
    {
        ArgumentNullException.ThrowIfNull(botId);
        ArgumentNullException.ThrowIfNull(flowsDirectory);
        ArgumentNullException.ThrowIfNull(io);
        if (!BotId().IsMatch(botId))
        {
            io.Error.WriteLine(Messages.Format(CliMessages.New_BadName, botId));
            return CommandLine.Usage;
        }

        var folder = Path.Combine(flowsDirectory, botId);
        if (Directory.Exists(folder) || File.Exists(folder))
        {
            io.Error.WriteLine(Messages.Format(CliMessages.New_Exists, folder));
            return CommandLine.Failure;
        }

        Directory.CreateDirectory(Path.Combine(folder, "tests"));
        File.WriteAllText(Path.Combine(folder, FlowSource.FlowFileName), StarterFlow(botId, folder), Utf8);
        var scenario = Path.Combine(folder, "tests", "처음-대화.yaml");
        File.WriteAllText(scenario, StarterScenario, Utf8);

        // The verified transcript is what the flow really answers, recorded by the same runner `kakaoflow test` uses.
        var recorded = TestCommand.Run([scenario], accept: true, TextWriter.Null, io.Error, Terminal.Plain);
        if (recorded != CommandLine.Ok)
        {
            io.Error.WriteLine(Messages.Format(CliMessages.New_StarterFailed, folder));
            return CommandLine.Failure;
        }

        io.Out.WriteLine(Messages.Format(CliMessages.New_Created, folder));
        io.Out.WriteLine(Messages.Format(CliMessages.New_FlowFile, Path.Combine(folder, FlowSource.FlowFileName)));
        io.Out.WriteLine(Messages.Format(CliMessages.New_ScenarioFile, scenario));
        io.Out.WriteLine(CliMessages.New_Next);
        io.Out.WriteLine(Messages.Format(CliMessages.New_NextCheck, folder));
        io.Out.WriteLine(Messages.Format(CliMessages.New_NextChat, folder));
        io.Out.WriteLine(Messages.Format(CliMessages.New_NextTest, folder));
        io.Out.WriteLine(Messages.Format(CliMessages.New_NextServe, flowsDirectory, botId));
        return CommandLine.Ok;
    }

    private static string StarterFlow(string botId, string folder)
    {
        // Editors that know the YAML language server complete and check keys from the schema, when it is at hand;
        // schema/ko/ explains every key in Korean.
        var korean = CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == CliLanguage.Korean;
        var schemaFile = Path.GetFullPath(korean ? Path.Combine("schema", "ko", "flow.schema.json") : Path.Combine("schema", "flow.schema.json"));
        var schema = File.Exists(schemaFile)
            ? $"# yaml-language-server: $schema={Path.GetRelativePath(Path.GetFullPath(folder), schemaFile).Replace('\\', '/')}\n"
            : "";
        return schema + $$$"""
            # {{{botId}}}: `kakaoflow new`로 만든 시작용 봇이에요. 마음대로 고쳐 쓰세요.
            # 고친 뒤에는: kakaoflow check {{{folder}}}  (실수 찾기),  kakaoflow chat {{{folder}}}  (대화해 보기)
            name: 우리 가게                      # 사용자에게 보이는 봇 이름
            monitor:
              phone: "010-0000-0000"           # 봇에 문제가 생기면 알림을 받을 번호로 바꾸세요
            privacy_consent: false             # 개인정보 처리 약관에 동의하면 true로 바꾸세요 (true여야 봇이 시작돼요)

            home:                              # 처음 화면의 버튼들: "버튼 글자: 누르면 보여 줄 말"
              - 영업 시간: 평일 오전 9시부터 오후 6시까지 열어요.
              - 메뉴 보기:                       # 버튼 아래에 또 버튼을 둘 수 있어요
                  say: 오늘의 메뉴예요. 골라 보세요.
                  buttons:
                    - 아메리카노: 아메리카노는 3,000원이에요.
                    - 카페라테: 카페라테는 3,500원이에요.
                    - 처음으로: { goto: home }
              - 예약하기:
                  say: 예약하실 분의 이름을 알려 주세요.
                  input:                       # 글자를 입력받는 질문
                    save: name                 # 답은 변수 name에 저장돼요
                    check: value.length >= 2 && value.length <= 10
                    retry: 이름은 2~10글자로 입력해 주세요.
                    next: booked               # 답을 받은 뒤 갈 단계 (아래 steps에 있어요)

            steps:
              booked:
                say: "{{name}}님, 예약을 받았어요. 곧 연락드릴게요."   # {{변수}}는 저장된 값으로 바뀌어요

            """;
    }

    private const string StarterScenario = """
        # 대화 테스트: `kakaoflow test`가 이 대화를 다시 해 보고, 답이 .verified.txt와 같은지 봐요.
        # 봇을 고쳐 답이 바뀌면 차이를 보여 주고, 맞으면 --accept로 새 답을 저장해요.
        name: 메뉴를 보고 예약하기
        turns:
          - user: 메뉴 보기
          - user: 카페라테
          - user: 예약하기
          - user: 김
          - user: 김하늘

        """;
}
