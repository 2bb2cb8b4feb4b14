using KakaoFlow.Hosting;

namespace KakaoFlow.Host.Tests;

/// <summary>The reply bound's token lives exactly as long as someone may still observe it.</summary>
public sealed class ReplyDeadlineTests
{
    [Fact]
    public void Without_a_late_step_the_token_is_released_with_the_answer()
    {
        var deadline = new ReplyDeadline(TimeSpan.FromMinutes(1));

        deadline.Dispose();

        Assert.Throws<ObjectDisposedException>(() => deadline.Token);
    }

    [Fact]
    public async Task A_late_step_can_still_wait_on_the_token_after_the_answer_went_out()
    {
        var lateStep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = new ReplyDeadline(TimeSpan.FromMinutes(1));
        deadline.Outlive(lateStep.Task);

        deadline.Dispose();

        Assert.False(deadline.HasPassed);
        Assert.False(deadline.Token.WaitHandle.WaitOne(0));
        lateStep.SetResult();
        await lateStep.Task;
    }
}
