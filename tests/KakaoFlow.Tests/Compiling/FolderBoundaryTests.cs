using System.Text;
using KakaoFlow.Cli;
using KakaoFlow.Compiling;
using KakaoFlow.Tests.Support;

namespace KakaoFlow.Tests.Compiling;

/// <summary>
/// A flow reads only files inside its bot folder: each name is resolved to its real path (every symbolic link
/// followed) and refused with KF033 when that is outside; what lies outside is never read, so never quoted.
/// Symbolic links cannot be expressed in the invalid/ fixtures (compiled from memory): these tests make them in a
/// temp folder.
/// </summary>
public sealed class FolderBoundaryTests : IDisposable
{
    private const string Secret = "SECRET_TOKEN_3f9a";

    private readonly string _root = Directory.CreateTempSubdirectory("kakaoflow-boundary-").FullName;

    public FolderBoundaryTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "outside"));
        File.WriteAllText(Path.Combine(_root, "outside", "secret.js"), $"var leaked = '{Secret}';\n{Secret};\n", Encoding.UTF8);
        File.WriteAllText(Path.Combine(_root, "outside", "flow.yaml"), Flow("[]") + $"# {Secret}\n", Encoding.UTF8);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Flow(string scripts) => TestFlows.Header + $"""
        scripts: {scripts}
        home:
          - 인사: 안녕하세요
        """ + "\n";

    /// <summary>A bot folder <c>flows/NAME</c> with the given flow.yaml.</summary>
    private string Bot(string scripts, string name = "hello")
    {
        var bot = Directory.CreateDirectory(Path.Combine(_root, "flows", name)).FullName;
        File.WriteAllText(Path.Combine(bot, "flow.yaml"), Flow(scripts), Encoding.UTF8);
        return bot;
    }

    /// <summary>The compilations of the bot folder as <c>serve</c> reads it (FlowFolder) and as <c>check</c> does (FromDisk).</summary>
    private static IEnumerable<FlowCompilation> BothWays(string bot)
    {
        yield return TestFlows.Compiler.Compile(FlowFolder.Read(bot).Source);
        yield return FlowLocator.Compile(TestFlows.Compiler, Path.Combine(bot, "flow.yaml"));
    }

    private static void AssertRefusedWithoutQuoting(FlowCompilation compilation, int line, string name)
    {
        Assert.False(compilation.Success);
        var refused = Assert.Single(compilation.Diagnostics, d => d.Code == "KF033");
        Assert.Equal(line, refused.Span.Line);
        Assert.Contains($"'{name}'", refused.Message, StringComparison.Ordinal);
        Assert.All(compilation.Diagnostics, d => Assert.DoesNotContain(Secret, d.Format(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_script_that_is_a_link_to_a_file_outside_the_folder_is_refused_with_KF033_at_its_entry()
    {
        var bot = Bot("[s.js]");
        File.CreateSymbolicLink(Path.Combine(bot, "s.js"), Path.Combine(_root, "outside", "secret.js"));

        Assert.All(BothWays(bot), compilation => AssertRefusedWithoutQuoting(compilation, 4, "s.js"));
    }

    [Fact]
    public void A_relative_link_and_a_linked_folder_that_lead_outside_are_refused_too()
    {
        var bot = Bot("[rel.js, lib/secret.js]");
        File.CreateSymbolicLink(Path.Combine(bot, "rel.js"), Path.Combine("..", "..", "outside", "secret.js"));
        Directory.CreateSymbolicLink(Path.Combine(bot, "lib"), Path.Combine(_root, "outside"));

        Assert.All(BothWays(bot), compilation =>
        {
            Assert.Equal(2, compilation.Diagnostics.Count(d => d.Code == "KF033"));
            Assert.All(compilation.Diagnostics, d => Assert.DoesNotContain(Secret, d.Format(), StringComparison.Ordinal));
        });
    }

    [Fact]
    public void Parent_and_absolute_paths_are_refused_with_KF033()
    {
        var absolute = Path.Combine(_root, "outside", "secret.js");
        var bot = Bot($"[../../outside/secret.js, \"{absolute}\"]");

        Assert.All(BothWays(bot), compilation => Assert.Equal(2, compilation.Diagnostics.Count(d => d.Code == "KF033")));
    }

    [Fact]
    public void The_folder_itself_named_as_a_script_is_missing_not_outside()
    {
        var bot = Bot("[\".\"]");

        Assert.All(BothWays(bot), compilation => Assert.Equal("KF025", Assert.Single(compilation.Diagnostics).Code));
    }

    [Fact]
    public void A_flow_yaml_that_is_a_link_outside_the_folder_is_refused_with_KF033_and_not_read()
    {
        var bot = Directory.CreateDirectory(Path.Combine(_root, "flows", "linked-flow")).FullName;
        File.CreateSymbolicLink(Path.Combine(bot, "flow.yaml"), Path.Combine(_root, "outside", "flow.yaml"));

        var refused = Assert.ThrowsAny<IOException>(() => FlowFolder.Read(bot));
        Assert.DoesNotContain(Secret, refused.Message, StringComparison.Ordinal);
        AssertRefusedWithoutQuoting(FlowLocator.Compile(TestFlows.Compiler, Path.Combine(bot, "flow.yaml")), 1, "flow.yaml");
    }

    [Fact]
    public void Links_that_stay_inside_the_folder_are_followed_and_a_linked_bot_folder_reads_its_own_files()
    {
        var real = Directory.CreateDirectory(Path.Combine(_root, "real-bot")).FullName;
        Directory.CreateDirectory(Path.Combine(real, "lib"));
        File.WriteAllText(Path.Combine(real, "flow.yaml"), TestFlows.Header + """
            scripts: [greet.js, linked/greet.js]
            home:
              - 인사:
                  js: "vars.greeting = greet()"
                  say: "{{greeting}}"
            """, Encoding.UTF8);
        File.WriteAllText(Path.Combine(real, "lib", "greet.js"), "function greet() { return 'hi'; }", Encoding.UTF8);
        File.CreateSymbolicLink(Path.Combine(real, "greet.js"), Path.Combine("lib", "greet.js"));
        Directory.CreateSymbolicLink(Path.Combine(real, "linked"), "lib");
        Directory.CreateDirectory(Path.Combine(_root, "flows"));
        var bot = Directory.CreateSymbolicLink(Path.Combine(_root, "flows", "via-link"), real).FullName;

        Assert.All(BothWays(bot), compilation => Assert.True(compilation.Success, string.Join("\n", compilation.Diagnostics)));
    }
}
