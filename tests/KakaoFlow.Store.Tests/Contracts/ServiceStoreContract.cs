using System.Globalization;
using KakaoFlow.Storage;
using Microsoft.Extensions.Time.Testing;

namespace KakaoFlow.Store.Tests.Contracts;

/// <summary>A service store and the friend store whose records its <see cref="IServiceStore.FriendCount"/> counts.</summary>
public sealed record ServiceStores(IServiceStore Services, IFriendStore Friends);

/// <summary>What every <see cref="IServiceStore"/> does. A store joins with one subclass (see <see cref="StoreContract{TStore}"/>).</summary>
public abstract class ServiceStoreContract : StoreContract<ServiceStores>
{
    private const string Bot = "피자봇";
    private const string Day = "2026-11-25";
    private static readonly DateTimeOffset At = new(2026, 11, 25, 21, 0, 0, TimeSpan.FromHours(9));

    private IServiceStore Services => Store.Services;

    [Fact]
    public void A_bot_never_changed_has_no_state()
    {
        Assert.Null(Services.Find(Bot));
        Assert.Empty(Services.All());
        Assert.Null(Services.ErrorsOn(Bot, Day));
        Assert.Empty(Services.RecentErrors(Bot, 10));
        Assert.Empty(Services.Undelivered(10));
        Assert.Empty(Services.Notifications(null, 10));
        Assert.Equal(0, Services.FriendCount(Bot));
    }

    [Fact]
    public void A_change_writes_the_state_and_its_notification_together_and_both_survive_a_restart()
    {
        var running = Running(Bot, At) with { StartedAt = At };
        ServiceRecord? seen = Running(Bot, At);

        var (state, note) = Services.Change(Bot, current =>
        {
            seen = current;
            return (running, new NotificationDraft(Bot, "010-1234-5678", "started", "피자봇이 시작했습니다"));
        });

        Assert.Null(seen);
        Assert.Equal(running, state);
        Assert.NotNull(note);
        Assert.Equal((Bot, "010-1234-5678", "started", "피자봇이 시작했습니다", At), (note.BotId, note.Phone, note.Kind, note.Text, note.At));
        Assert.False(string.IsNullOrEmpty(note.Key));
        Assert.False(note.Delivered);
        Assert.Equal(0, note.Attempts);
        Assert.Equal(running, Services.Find(Bot));

        var restarted = Restart().Services;
        Assert.Equal(running, restarted.Find(Bot));
        Assert.Equal(At, restarted.Find(Bot)?.StartedAt);
        Assert.Equal(new[] { running }, restarted.All());
        var stored = Assert.Single(restarted.Undelivered(10));
        Assert.Equal((note.Id, note.Key, note.Text, note.At), (stored.Id, stored.Key, stored.Text, stored.At));
    }

    [Fact]
    public void A_decision_of_no_change_writes_nothing()
    {
        var running = Running(Bot, At);
        Services.Change(Bot, _ => (running, null));

        var (state, note) = Services.Change(Bot, current =>
        {
            Assert.Equal(running, current);
            return (null, new NotificationDraft(Bot, "010", "ignored", "no state change, so no notification"));
        });

        Assert.Equal(running, state);
        Assert.Null(note);
        Assert.Equal(running, Services.Find(Bot));
        Assert.Empty(Services.Notifications(null, 10));
    }

    [Fact]
    public void A_change_without_a_notification_writes_only_the_state()
    {
        var (state, note) = Services.Change(Bot, _ => (Running(Bot, At), null));

        Assert.Equal(ServiceState.Running, state?.State);
        Assert.Null(note);
        Assert.Empty(Services.Notifications(null, 10));
    }

    [Fact]
    public void A_decision_that_throws_writes_nothing()
    {
        Services.Change(Bot, _ => (Running(Bot, At), null));

        Assert.Throws<InvalidOperationException>(() => Services.Change(Bot, _ => throw new InvalidOperationException("no")));
        Assert.Throws<InvalidOperationException>(() => Services.RecordError(Bot, Day, Error(At, "x"), 5, (_, _) => throw new InvalidOperationException("no")));

        Assert.Equal(ServiceState.Running, Services.Find(Bot)?.State);
        Assert.Null(Services.ErrorsOn(Bot, Day));
        Assert.Empty(Services.Notifications(null, 10));
    }

    [Fact]
    public void Concurrent_changes_each_decide_on_the_state_the_previous_one_wrote()
    {
        const int threads = 8;
        const int changesEach = 20;
        Services.Change(Bot, _ => (Running(Bot, At) with { Reason = "0" }, null));

        // Read, increment, write, with a pause in between to let a race happen: a lost update leaves the count short.
        OnThreads(threads, _ =>
        {
            for (var i = 0; i < changesEach; i++)
            {
                Services.Change(Bot, current =>
                {
                    Thread.Sleep(1);
                    return (current! with { Reason = (int.Parse(current.Reason, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture) }, null);
                });
            }
        });

        Assert.Equal((threads * changesEach).ToString(CultureInfo.InvariantCulture), Services.Find(Bot)?.Reason);
    }

    [Fact]
    public void Concurrent_stops_of_a_running_bot_stop_it_once_with_one_notification()
    {
        Services.Change(Bot, _ => (Running(Bot, At), null));

        var notes = 0;
        OnThreads(16, i =>
        {
            var (_, note) = Services.Change(Bot, current =>
            {
                Thread.Sleep(1);
                return current?.State == ServiceState.Running
                    ? (current with { State = ServiceState.Stopped, Reason = "stop " + i.ToString(CultureInfo.InvariantCulture) }, new NotificationDraft(Bot, "010", "stopped", "멈춤"))
                    : (null, null);
            });
            if (note is not null)
            {
                Interlocked.Increment(ref notes);
            }
        });

        Assert.Equal(1, notes);
        Assert.Single(Services.Notifications(Bot, 100));
        Assert.Equal(ServiceState.Stopped, Services.Find(Bot)?.State);
    }

    [Fact]
    public void Errors_are_counted_per_bot_and_day()
    {
        for (var i = 0; i < 3; i++)
        {
            Services.RecordError(Bot, Day, Error(At.AddSeconds(i), "e"), 10, (_, _) => ErrorDecision.None);
        }

        Services.RecordError(Bot, "2026-11-26", Error(At.AddDays(1), "e"), 10, (_, _) => ErrorDecision.None);
        Services.RecordError("다른봇", Day, Error(At, "e"), 10, (_, _) => ErrorDecision.None);

        Assert.Equal(3, Services.ErrorsOn(Bot, Day)?.Count);
        Assert.Equal(1, Services.ErrorsOn(Bot, "2026-11-26")?.Count);
        Assert.Equal(1, Services.ErrorsOn("다른봇", Day)?.Count);
        Assert.Null(Services.ErrorsOn(Bot, "2026-11-24"));
        Assert.Equal(3, Restart().Services.ErrorsOn(Bot, Day)?.Count);
    }

    [Fact]
    public void An_error_day_keeps_the_latest_details_oldest_first()
    {
        for (var i = 1; i <= 5; i++)
        {
            Services.RecordError(Bot, Day, Error(At.AddMinutes(i), "오류 " + i.ToString(CultureInfo.InvariantCulture)), 3, (_, _) => ErrorDecision.None);
        }

        var day = Services.ErrorsOn(Bot, Day);
        Assert.NotNull(day);
        Assert.Equal(5, day.Count);
        Assert.Equal(["오류 3", "오류 4", "오류 5"], day.Recent.Select(detail => detail.Message));
        var last = day.Recent[^1];
        Assert.Equal((At.AddMinutes(5), "user-hash", "hook-error", "flow.yaml:12:3"), (last.At, last.User, last.Kind, last.Location));

        var restarted = Restart().Services.ErrorsOn(Bot, Day);
        Assert.Equal(["오류 3", "오류 4", "오류 5"], restarted?.Recent.Select(detail => detail.Message));
    }

    [Fact]
    public void An_error_detail_without_a_location_keeps_it_null()
    {
        Services.RecordError(Bot, Day, Error(At, "x") with { Location = null }, 3, (_, _) => ErrorDecision.None);

        Assert.Null(Assert.Single(Restart().Services.ErrorsOn(Bot, Day)!.Recent).Location);
    }

    [Fact]
    public void The_decision_sees_the_new_count_the_warned_flag_and_the_state()
    {
        var running = Running(Bot, At);
        Services.Change(Bot, _ => (running, null));
        var seen = new List<(int Count, bool Warned, ServiceState? State)>();

        for (var i = 0; i < 3; i++)
        {
            var (day, _, _) = Services.RecordError(Bot, Day, Error(At, "e"), 10, (errors, service) =>
            {
                seen.Add((errors.Count, errors.Warned, service?.State));
                return new ErrorDecision(MarkWarned: errors.Count == 2, null, []);
            });
            Assert.Equal(i >= 1, day.Warned);
        }

        (int, bool, ServiceState?)[] expected = [(1, false, ServiceState.Running), (2, false, ServiceState.Running), (3, true, ServiceState.Running)];
        Assert.Equal(expected, seen);
        Assert.True(Services.ErrorsOn(Bot, Day)?.Warned);
        Assert.True(Restart().Services.ErrorsOn(Bot, Day)?.Warned);
    }

    [Fact]
    public void An_error_decision_writes_the_state_and_its_notifications_with_the_count()
    {
        Services.Change(Bot, _ => (Running(Bot, At), null));
        var errorAt = At.AddHours(1);
        var stopped = new ServiceRecord(Bot, ServiceState.StoppedByErrors, "error budget", errorAt, "error-budget");

        var (day, newState, notes) = Services.RecordError(Bot, Day, Error(errorAt, "e"), 10, (_, _) =>
            new ErrorDecision(true, stopped, [new NotificationDraft(Bot, "010", "stopped-by-errors", "멈춤"), new NotificationDraft(Bot, "011", "stopped-by-errors", "멈춤 2")]));

        Assert.Equal(1, day.Count);
        Assert.Equal(stopped, newState);
        Assert.Equal(["010", "011"], notes.Select(note => note.Phone));
        Assert.All(notes, note => Assert.Equal(errorAt, note.At));
        Assert.True(notes[0].Id < notes[1].Id);

        var restarted = Restart().Services;
        Assert.Equal(stopped, restarted.Find(Bot));
        Assert.Equal(["011", "010"], restarted.Notifications(Bot, 10).Select(note => note.Phone));
        Assert.Equal(1, restarted.ErrorsOn(Bot, Day)?.Count);
    }

    [Fact]
    public void Concurrent_errors_are_all_counted_and_the_limit_stops_the_bot_once()
    {
        const int limit = 10;
        Services.Change(Bot, _ => (Running(Bot, At), null));

        OnThreads(8, _ =>
        {
            for (var i = 0; i < 5; i++)
            {
                Services.RecordError(Bot, Day, Error(At, "e"), 5, (errors, service) =>
                {
                    Thread.Sleep(1);
                    return errors.Count >= limit && service?.State == ServiceState.Running
                        ? new ErrorDecision(false, service with { State = ServiceState.StoppedByErrors }, [new NotificationDraft(Bot, "010", "stopped-by-errors", "멈춤")])
                        : ErrorDecision.None;
                });
            }
        });

        Assert.Equal(40, Services.ErrorsOn(Bot, Day)?.Count);
        Assert.Equal(5, Services.ErrorsOn(Bot, Day)?.Recent.Count);
        Assert.Equal(ServiceState.StoppedByErrors, Services.Find(Bot)?.State);
        Assert.Single(Services.Notifications(Bot, 100));
    }

    [Fact]
    public void Recent_errors_are_the_latest_over_all_days_newest_first()
    {
        Services.RecordError(Bot, "2026-11-24", Error(At.AddDays(-1), "24-1"), 10, (_, _) => ErrorDecision.None);
        Services.RecordError(Bot, "2026-11-24", Error(At.AddDays(-1).AddMinutes(1), "24-2"), 10, (_, _) => ErrorDecision.None);
        Services.RecordError(Bot, Day, Error(At, "25-1"), 10, (_, _) => ErrorDecision.None);
        Services.RecordError(Bot, Day, Error(At.AddMinutes(1), "25-2"), 10, (_, _) => ErrorDecision.None);
        Services.RecordError("다른봇", "2026-11-26", Error(At, "other"), 10, (_, _) => ErrorDecision.None);

        Assert.Equal(["25-2", "25-1", "24-2"], Services.RecentErrors(Bot, 3).Select(error => error.Message));
        Assert.Equal(["25-2", "25-1", "24-2", "24-1"], Services.RecentErrors(Bot, 10).Select(error => error.Message));
    }

    [Fact]
    public void Undelivered_notifications_come_oldest_first_and_delivery_marks_them()
    {
        var ids = Enumerable.Range(1, 4).Select(i => Notify(Bot, "n" + i.ToString(CultureInfo.InvariantCulture))).ToList();

        Assert.Equal(ids, Services.Undelivered(10).Select(note => note.Id));
        Assert.Equal(ids[..2], Services.Undelivered(2).Select(note => note.Id));

        var deliveredAt = At.AddMinutes(5);
        Services.MarkDelivered(ids[0], deliveredAt);
        var retryAt = At.AddMinutes(10);
        Services.MarkFailed(ids[1], retryAt, "HTTP 503");
        Services.MarkFailed(ids[1], retryAt.AddMinutes(1), "timeout");

        Assert.Equal(ids[1..], Services.Undelivered(10).Select(note => note.Id));
        var notes = Restart().Services.Notifications(Bot, 10).ToDictionary(note => note.Id);
        Assert.True(notes[ids[0]].Delivered);
        Assert.Equal(deliveredAt, notes[ids[0]].DeliveredAt);
        Assert.Equal(1, notes[ids[0]].Attempts);
        Assert.Null(notes[ids[0]].NextAttemptAt);
        Assert.False(notes[ids[1]].Delivered);
        Assert.Equal(2, notes[ids[1]].Attempts);
        Assert.Equal(retryAt.AddMinutes(1), notes[ids[1]].NextAttemptAt);
        Assert.Equal("timeout", notes[ids[1]].LastError);
        Assert.Equal(0, notes[ids[2]].Attempts);
        Assert.Null(notes[ids[2]].LastError);
    }

    [Fact]
    public void A_delivery_after_failures_clears_the_next_attempt()
    {
        var id = Notify(Bot, "n");
        Services.MarkFailed(id, At.AddMinutes(1), "HTTP 503");
        Services.MarkDelivered(id, At.AddMinutes(2));

        var note = Assert.Single(Services.Notifications(Bot, 10));
        Assert.True(note.Delivered);
        Assert.Equal(2, note.Attempts);
        Assert.Null(note.NextAttemptAt);
        Assert.Empty(Services.Undelivered(10));
    }

    [Fact]
    public void Marking_an_unknown_notification_does_nothing()
    {
        var id = Notify(Bot, "n");

        Services.MarkDelivered(id + 1000, At);
        Services.MarkFailed(id + 1000, At, "x");

        Assert.Single(Services.Undelivered(10));
        Assert.Single(Services.Notifications(null, 10));
    }

    [Fact]
    public void Notifications_come_newest_first_for_one_bot_or_all()
    {
        var first = Notify(Bot, "1");
        var other = Notify("다른봇", "2");
        var third = Notify(Bot, "3");

        Assert.Equal([third, first], Services.Notifications(Bot, 10).Select(note => note.Id));
        Assert.Equal([third, other, first], Services.Notifications(null, 10).Select(note => note.Id));
        Assert.Equal([third], Services.Notifications(null, 1).Select(note => note.Id));
        Assert.Empty(Services.Notifications("없는봇", 10));
        Assert.Equal(3, Services.Notifications(null, 10).Select(note => note.Key).Distinct().Count());
    }

    [Fact]
    public void Every_bot_has_its_own_state()
    {
        Services.Change("a", _ => (Running("a", At), null));
        Services.Change("b", _ => (Running("b", At) with { State = ServiceState.Blocked, Reason = "운영자 차단" }, null));
        Services.Change("A", _ => (Running("A", At) with { State = ServiceState.Stopped }, null));

        Assert.Equal(ServiceState.Running, Services.Find("a")?.State);
        Assert.Equal(ServiceState.Stopped, Services.Find("A")?.State);
        Assert.Equal("운영자 차단", Services.Find("b")?.Reason);
        Assert.Equal(["A", "a", "b"], Services.All().Select(service => service.BotId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Friend_count_counts_users_who_added_the_bot_and_did_not_block_it()
    {
        Store.Friends.MarkAdded(Bot, "a", At);
        Store.Friends.MarkAdded(Bot, "b", At);
        Store.Friends.MarkAdded(Bot, "B", At);
        Store.Friends.MarkAdded(Bot, "blocker", At);
        Store.Friends.MarkBlocked(Bot, "blocker", At.AddMinutes(1));
        Store.Friends.MarkBlocked(Bot, "never-added", At);
        Store.Friends.MarkAdded("다른봇", "a", At);

        Assert.Equal(3, Services.FriendCount(Bot));
        Assert.Equal(1, Services.FriendCount("다른봇"));
        Assert.Equal(0, Services.FriendCount("없는봇"));
        Assert.Equal(3, Restart().Services.FriendCount(Bot));
    }

    [Fact]
    public void Pruning_deletes_the_bots_error_days_over_by_the_cutoff_and_its_notifications_delivered_before_it_only()
    {
        // 2026-11-21 00:30 in Seoul (15:30 UTC the day before); each error and notification is made on this clock.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 20, 15, 30, 0, TimeSpan.Zero));
        var retention = TimeSpan.FromDays(2);
        Error(clock, Bot, "21일 오류");
        Error(clock, "다른봇", "다른 봇의 21일 오류");
        var deliveredEarly = NotifyAt(clock, Bot, "21일 알림");
        clock.Advance(TimeSpan.FromHours(12));
        Services.MarkDelivered(deliveredEarly, clock.GetUtcNow());
        var otherBots = NotifyAt(clock, "다른봇", "다른 봇 알림");
        Services.MarkDelivered(otherBots, clock.GetUtcNow());
        var neverDelivered = NotifyAt(clock, Bot, "보내지 못한 알림");
        Services.MarkFailed(neverDelivered, clock.GetUtcNow().AddMinutes(5), "HTTP 503");
        clock.Advance(TimeSpan.FromHours(12));
        Error(clock, Bot, "22일 오류");
        clock.Advance(TimeSpan.FromDays(1));
        Error(clock, Bot, "23일 오류");
        var deliveredLate = NotifyAt(clock, Bot, "23일 알림");
        Services.MarkDelivered(deliveredLate, clock.GetUtcNow());
        clock.Advance(TimeSpan.FromDays(1)); // 2026-11-24 00:30 in Seoul

        var pruned = Services.Prune(Bot, clock.GetUtcNow() - retention);

        Assert.Equal(new PrunedRecords(ErrorDays: 1, Notifications: 1), pruned);
        var restarted = Restart().Services;
        Assert.Null(restarted.ErrorsOn(Bot, "2026-11-21"));
        Assert.Equal(1, restarted.ErrorsOn(Bot, "2026-11-22")?.Count); // holds the cutoff (00:30 on the 22nd): kept
        Assert.Equal(["23일 오류", "22일 오류"], restarted.RecentErrors(Bot, 10).Select(error => error.Message));
        Assert.NotNull(restarted.ErrorsOn("다른봇", "2026-11-21"));
        Assert.Equal([deliveredLate, neverDelivered], restarted.Notifications(Bot, 10).Select(note => note.Id));
        Assert.Equal([neverDelivered], restarted.Undelivered(10).Select(note => note.Id));
        Assert.Equal([otherBots], restarted.Notifications("다른봇", 10).Select(note => note.Id));
        Assert.Equal(3, restarted.Notifications(null, 10).Count);
        Assert.Equal(new PrunedRecords(0, 0), restarted.Prune(Bot, clock.GetUtcNow() - retention));
    }

    [Fact]
    public void A_pruned_error_day_is_a_day_in_Seoul_which_ends_at_15_00_UTC()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 3, 0, 0, TimeSpan.Zero)); // noon of the 21st in Seoul
        Error(clock, Bot, "21일 정오");
        var dayEnds = new DateTimeOffset(2026, 11, 21, 15, 0, 0, TimeSpan.Zero);

        Assert.Equal(new PrunedRecords(0, 0), Services.Prune(Bot, dayEnds.AddTicks(-1)));
        Assert.NotNull(Services.ErrorsOn(Bot, "2026-11-21"));
        Assert.Equal(new PrunedRecords(1, 0), Services.Prune(Bot, dayEnds));
        Assert.Null(Services.ErrorsOn(Bot, "2026-11-21"));
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="count"/> threads of its own, started together.</summary>
    private static void OnThreads(int count, Action<int> body)
    {
        using var start = new ManualResetEventSlim();
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            start.Wait();
            try
            {
                body(i);
            }
#pragma warning disable CA1031 // reported below, on the test's thread
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add(e);
            }
        })).ToList();
        threads.ForEach(thread => thread.Start());
        start.Set();
        threads.ForEach(thread => thread.Join());
        Assert.Empty(failures);
    }

    private static ServiceRecord Running(string botId, DateTimeOffset at) => new(botId, ServiceState.Running, "운영 시작", at, "admin");

    private static ErrorDetail Error(DateTimeOffset at, string message) => new(at, "user-hash", "hook-error", "flow.yaml:12:3", message);

    /// <summary>Counts an error of <paramref name="botId"/> now on <paramref name="clock"/>, in the Seoul day it falls in.</summary>
    private void Error(FakeTimeProvider clock, string botId, string message) =>
        Services.RecordError(botId, ErrorDays.DayOf(clock.GetUtcNow()), Error(clock.GetUtcNow(), message), 10, (_, _) => ErrorDecision.None);

    private long NotifyAt(FakeTimeProvider clock, string botId, string text)
    {
        var (_, note) = Services.Change(botId, _ => (Running(botId, clock.GetUtcNow()), new NotificationDraft(botId, "010", "test", text)));
        return note!.Id;
    }

    private long Notify(string botId, string text)
    {
        var (_, note) = Services.Change(botId, current => (current ?? Running(botId, At), new NotificationDraft(botId, "010", "test", text)));
        return note!.Id;
    }
}
