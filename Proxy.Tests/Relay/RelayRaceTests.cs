using Proxy.Actors.Relay;

namespace Proxy.Tests.Relay;

public sealed class RelayRaceTests
{
    private static RelayEndpoint Nowhere() => new(Stream.Null, null);

    [Fact]
    public async Task ASourceThatClosedFirst_NamesTheEnd_EvenIfTheOtherPumpFinishesBeforeIt()
    {
        // The client's FIN is claimed before it is passed on; the upstream may answer with its own
        // FIN and its pump finish while the client's pump is still between shutdown and Finish.
        using var activity = new ActivityTracker();
        var race = new RelayRace(activity, Nowhere(), Nowhere());
        race.SourceClosed(up: true);
        race.Finish(up: false, PumpResult.SourceClosed, null);
        race.Finish(up: true, PumpResult.SourceClosed, null);

        Assert.Equal(RelayEnd.ClosedByClient, await race.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(activity.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task WithoutAClaim_TheFirstToFinish_NamesTheEnd_AndAFailureAbortsTheOther()
    {
        using var activity = new ActivityTracker();
        var race = new RelayRace(activity, Nowhere(), Nowhere());
        race.Finish(up: false, PumpResult.SourceFailed, null);
        Assert.True(activity.Token.IsCancellationRequested);
        race.Finish(up: true, PumpResult.Cancelled, null);

        Assert.Equal(RelayEnd.UpstreamReadFailed, await race.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task AnUnexpectedErrorAfterAClaimedFin_StillEndsTheOtherDirection_AndFaultsTheRelay()
    {
        using var activity = new ActivityTracker();
        var race = new RelayRace(activity, Nowhere(), Nowhere());
        race.SourceClosed(up: true);
        Assert.False(activity.Token.IsCancellationRequested);
        race.Finish(up: true, PumpResult.SourceClosed, new InvalidOperationException("bug while passing the FIN on"));
        Assert.True(activity.Token.IsCancellationRequested);
        race.Finish(up: false, PumpResult.Cancelled, null);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => race.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("bug while passing the FIN on", e.Message);
    }
}
