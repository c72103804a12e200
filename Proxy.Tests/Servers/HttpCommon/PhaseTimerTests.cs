using Proxy.Actors.Servers.HttpCommon;
using Proxy.Tests.Resolvers;
using Xunit;

namespace Proxy.Tests.Servers.HttpCommon;

public sealed class PhaseTimerTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Response = TimeSpan.FromSeconds(30);

    [Fact]
    public void An_armed_phase_expires_at_its_timeout_and_not_before()
    {
        var time = new ManualTimeProvider();
        using var timer = new PhaseTimer(CancellationToken.None, time);
        var token = timer.Arm(Response);
        time.Advance(Response - TimeSpan.FromSeconds(1));
        Assert.False(token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public void A_disarmed_phase_never_expires_and_the_next_phase_keeps_its_own_deadline()
    {
        var time = new ManualTimeProvider();
        using var timer = new PhaseTimer(CancellationToken.None, time);
        var first = timer.Arm(Response);
        time.Advance(TimeSpan.FromSeconds(20));
        timer.Disarm();
        // The next phase starts at 20 s with a 5 min deadline: the timer that still fires at 30 s must not end it.
        var second = timer.Arm(Idle);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(first.IsCancellationRequested);
        Assert.False(second.IsCancellationRequested);
        time.Advance(Idle - TimeSpan.FromSeconds(21));
        Assert.False(second.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(second.IsCancellationRequested);
    }

    [Fact]
    public void A_shorter_phase_after_a_longer_one_expires_at_its_own_deadline_with_a_fresh_token()
    {
        var time = new ManualTimeProvider();
        using var timer = new PhaseTimer(CancellationToken.None, time);
        timer.Arm(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(2)); // the first phase expired
        timer.Arm(Idle);
        timer.Disarm();
        var token = timer.Arm(Response);
        Assert.False(token.IsCancellationRequested);
        time.Advance(Response);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public void Extend_moves_the_armed_deadline()
    {
        var time = new ManualTimeProvider();
        using var timer = new PhaseTimer(CancellationToken.None, time);
        var token = timer.Arm(Idle);
        time.Advance(TimeSpan.FromSeconds(1));
        timer.Extend(Response);
        time.Advance(Response);
        Assert.True(token.IsCancellationRequested);
    }

    [Fact]
    public void The_connection_ending_ends_the_phase()
    {
        var time = new ManualTimeProvider();
        using var connection = new CancellationTokenSource();
        using var timer = new PhaseTimer(connection.Token, time);
        var token = timer.Arm(Idle);
        connection.Cancel();
        Assert.True(token.IsCancellationRequested);
        Assert.True(timer.Arm(Idle).IsCancellationRequested);
    }
}
