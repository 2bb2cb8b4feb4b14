using System.Diagnostics;
using System.Net;
using System.Text;
using KakaoFlow.Host.Tests.Support;

namespace KakaoFlow.Host.Tests;

/// <summary>
/// <c>kakaoflow serve</c> as a real process: a hard kill loses no acknowledged session (the session journal is written
/// before each reply and replayed at the next start), SIGTERM shuts down cleanly (sessions flushed, LiteDB checkpointed
/// and closed), and an edited flow is served
/// without a restart.
/// </summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kakaoflow-host-tests", Guid.NewGuid().ToString("N"));

    public ServeProcessTests()
    {
        var bot = Path.Combine(_root, "flows", "pizza");
        Directory.CreateDirectory(bot);
        File.WriteAllText(Path.Combine(bot, "flow.yaml"), Flows.Pizza, Encoding.UTF8);
    }

    private string DataFile => Path.Combine(_root, "state.litedb");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_hard_kill_loses_no_acknowledged_session()
    {
        using (var server = await ServeProcess.StartAsync(_root, DataFile))
        {
            await server.SayAsync("메뉴 보기");
            await server.SayAsync("불고기 피자");
            var acknowledged = await server.SayAsync("라지");
            Assert.Contains("배달 받을 주소를 입력해 주세요.", acknowledged, StringComparison.Ordinal);
            server.Kill();
        }

        using (var again = await ServeProcess.StartAsync(_root, DataFile))
        {
            var confirm = await again.SayAsync("인천시 남동구 1");
            Assert.Contains("불고기 피자 라지를 인천시 남동구 1(으)로 보낼까요? (18000원)", confirm, StringComparison.Ordinal);
            Assert.Equal(0, await again.TerminateAsync());
        }
    }

    [Fact]
    public async Task Under_a_memory_limit_serve_sizes_its_session_store_to_it_and_says_so()
    {
        // What a container's limit does (.NET takes three quarters of it); 256 MiB is a quarter of what the defaults fit.
        using var server = await ServeProcess.StartAsync(_root, DataFile, new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" });

        Assert.Contains("오늘의 메뉴입니다.", await server.SayAsync("메뉴 보기"), StringComparison.Ordinal);
        Assert.Equal(0, await server.TerminateAsync());
        Assert.Contains(
            "The process may use 256 MiB of memory: at most 37500 users' sessions held before they are in LiteDB (then turns wait for the flusher), 5000 sessions cached as objects and 16 MiB as records, LiteDB's page cache released above 16 MiB, 1024 sessions a transaction when behind",
            server.ToString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_speaks_Korean_while_its_host_logs_stay_English()
    {
        using var server = await ServeProcess.StartAsync(_root, DataFile, new Dictionary<string, string> { ["KAKAOFLOW_LANG"] = "ko" });

        await server.SayAsync("메뉴 보기");
        Assert.Equal(0, await server.TerminateAsync());
        var output = server.ToString();
        Assert.Contains("pizza (피자나라) 서비스 중: http://127.0.0.1:", output, StringComparison.Ordinal);
        Assert.Contains("; 멈추려면 Ctrl+C", output, StringComparison.Ordinal);
        Assert.Contains("info: KakaoFlow.Hosting.BotCatalog[2] Serving bot pizza (피자나라), version ", output, StringComparison.Ordinal);
        Assert.DoesNotContain(output.Split('\n'), line => line.StartsWith("listening on ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sigterm_stops_the_server_cleanly_and_closes_the_data_file()
    {
        using (var server = await ServeProcess.StartAsync(_root, DataFile))
        {
            await server.SayAsync("메뉴 보기");
            Assert.Equal(0, await server.TerminateAsync());
        }

        // A clean close checkpoints the log into the data file.
        Assert.True(File.Exists(DataFile));
        var log = Path.Combine(_root, "state-log.litedb");
        Assert.True(!File.Exists(log) || new FileInfo(log).Length == 0, "the LiteDB log was not checkpointed");

        using var again = await ServeProcess.StartAsync(_root, DataFile);
        Assert.Contains("불고기 피자의 크기를 골라 주세요.", await again.SayAsync("불고기 피자"), StringComparison.Ordinal);
        Assert.Equal(0, await again.TerminateAsync());
    }

    [Fact]
    public async Task Serve_reloads_an_edited_flow_by_default()
    {
        using var server = await ServeProcess.StartAsync(_root, DataFile);
        Assert.Contains("매일 11시부터 22시까지 영업합니다.", await server.SayAsync("영업 시간"), StringComparison.Ordinal);

        var flowFile = Path.Combine(_root, "flows", "pizza", "flow.yaml");
        File.WriteAllText(flowFile, Flows.Pizza.Replace("매일 11시부터 22시까지", "연중무휴 24시간", StringComparison.Ordinal), Encoding.UTF8);
        var watch = Stopwatch.StartNew();
        while (!(await server.SayAsync("영업 시간")).Contains("연중무휴 24시간 영업합니다.", StringComparison.Ordinal))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the edit was not served within 10 s:\n" + server);
            await Task.Delay(20);
        }

        // The console logger writes from its own queue: the line can trail the answer on a loaded machine.
        while (!server.ToString().Contains("Reloaded bot pizza: version ", StringComparison.Ordinal))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), "no reload line in the log:\n" + server);
            await Task.Delay(20);
        }

        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public async Task A_second_serve_on_the_same_data_file_exits_1_and_leaves_the_first_alone()
    {
        using var server = await ServeProcess.StartAsync(_root, DataFile);
        await server.SayAsync("메뉴 보기");

        // Another process (this one) on the same data file.
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var second = KakaoFlow.Cli.CommandLine.RunAsync(["serve", Path.Combine(_root, "flows"), "--urls", "http://127.0.0.1:0", "--data", DataFile], stdout, stderr);
        Assert.Equal(1, await second.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("is in use by another kakaoflow store", stderr.ToString(), StringComparison.Ordinal);

        Assert.Contains("불고기 피자의 크기를 골라 주세요.", await server.SayAsync("불고기 피자"), StringComparison.Ordinal);
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Theory]
    [InlineData("kakaoflow.litedb.sessions-00000001.journal")]
    [InlineData("kakaoflow.admin-token")]
    public async Task An_empty_data_file_is_refused_with_exit_1_and_what_to_do(string beside)
    {
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        var dataFile = Path.Combine(data, "kakaoflow.litedb");
        File.WriteAllBytes(dataFile, []);
        File.WriteAllText(Path.Combine(data, beside), "what a previous run left");

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(1, await KakaoFlow.Cli.CommandLine.RunAsync(["serve", Path.Combine(_root, "flows"), "--urls", "http://127.0.0.1:0", "--data", dataFile], stdout, stderr));

        var error = stderr.ToString();
        Assert.Contains($"The data file '{dataFile}' is empty", error, StringComparison.Ordinal);
        Assert.Contains("restore it from a backup", error, StringComparison.Ordinal);
        Assert.Contains("remove it and its session journal", error, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(dataFile).Length);
        Assert.Equal("what a previous run left", File.ReadAllText(Path.Combine(data, beside)));
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_a_missing_flows_folder_exits_1()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(2, await KakaoFlow.Cli.CommandLine.RunAsync(["serve", "--bogus"], stdout, stderr));
        Assert.Contains("kakaoflow serve [<FLOWS_DIR>] [options]", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("--no-watch", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await KakaoFlow.Cli.CommandLine.RunAsync(["serve", "--urls"], stdout, stderr));
        Assert.Equal(2, await KakaoFlow.Cli.CommandLine.RunAsync(["serve", "a", "b"], stdout, stderr));
        Assert.Equal(1, await KakaoFlow.Cli.CommandLine.RunAsync(["serve", Path.Combine(_root, "nothing")], stdout, stderr));
        Assert.Contains("does not exist", stderr.ToString(), StringComparison.Ordinal);
    }
}
