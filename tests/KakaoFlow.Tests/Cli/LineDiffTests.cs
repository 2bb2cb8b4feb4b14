using KakaoFlow.Cli;

namespace KakaoFlow.Tests.Cli;

public sealed class LineDiffTests
{
    private static IReadOnlyList<string> Unified(string before, string after, int context = 3) =>
        LineDiff.Unified(LineDiff.Compute(before.Split('\n'), after.Split('\n')), "a", "b", context);

    [Fact]
    public void Equal_texts_have_no_diff()
    {
        Assert.Empty(Unified("가\n나\n다", "가\n나\n다"));
    }

    [Fact]
    public void A_changed_line_in_the_middle_gets_one_hunk_with_context()
    {
        var diff = Unified("1\n2\n3\n4\n5\n6\n7\n8\n9", "1\n2\n3\n4\nfive\n6\n7\n8\n9");

        Assert.Equal(["--- a", "+++ b", "@@ -2,7 +2,7 @@", " 2", " 3", " 4", "-5", "+five", " 6", " 7", " 8"], diff);
    }

    [Fact]
    public void Far_apart_changes_get_separate_hunks_and_near_ones_share_one()
    {
        var before = string.Join('\n', Enumerable.Range(1, 20));
        var far = Unified(before, before.Replace("\n2\n", "\nB\n", StringComparison.Ordinal).Replace("\n18\n", "\nR\n", StringComparison.Ordinal), context: 1);
        var near = Unified(before, before.Replace("\n2\n", "\nB\n", StringComparison.Ordinal).Replace("\n4\n", "\nD\n", StringComparison.Ordinal), context: 1);

        Assert.Equal(["--- a", "+++ b", "@@ -1,3 +1,3 @@", " 1", "-2", "+B", " 3", "@@ -17,3 +17,3 @@", " 17", "-18", "+R", " 19"], far);
        Assert.Equal(["--- a", "+++ b", "@@ -1,5 +1,5 @@", " 1", "-2", "+B", " 3", "-4", "+D", " 5"], near);
    }

    [Fact]
    public void Insertions_and_deletions_use_the_patch_ranges()
    {
        Assert.Equal(["--- a", "+++ b", "@@ -1,2 +1,3 @@", " x", "+y", " z"], Unified("x\nz", "x\ny\nz"));
        Assert.Equal(["--- a", "+++ b", "@@ -1,3 +1,2 @@", " x", "-y", " z"], Unified("x\ny\nz", "x\nz"));
        Assert.Equal(["--- a", "+++ b", "@@ -0,0 +1 @@", "+new"], LineDiff.Unified(LineDiff.Compute([], ["new"]), "a", "b"));
    }

    [Fact]
    public void The_edit_script_rebuilds_both_sides()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var before = Enumerable.Range(0, random.Next(0, 30)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToArray();
            var after = Enumerable.Range(0, random.Next(0, 30)).Select(_ => ((char)('a' + random.Next(4))).ToString()).ToArray();

            var edits = LineDiff.Compute(before, after);

            Assert.Equal(before, edits.Where(e => e.Kind != LineDiff.Kind.Added).Select(e => e.Line));
            Assert.Equal(after, edits.Where(e => e.Kind != LineDiff.Kind.Removed).Select(e => e.Line));
            Assert.Equal(Lcs(before, after), edits.Count(e => e.Kind == LineDiff.Kind.Same));
        }
    }

    private static int Lcs(string[] a, string[] b)
    {
        var table = new int[a.Length + 1, b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                table[i, j] = a[i - 1] == b[j - 1] ? table[i - 1, j - 1] + 1 : Math.Max(table[i - 1, j], table[i, j - 1]);
            }
        }

        return table[a.Length, b.Length];
    }
}
