using Akka.Actor;
using Akka.TestKit.Xunit2;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Escapers;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Tests.Escapers;

public sealed class EscaperActorSpec : TestKit
{
    private readonly HandleRegistry<IEscaper> _escapers = new(name => new DummyDenyEscaper(name));
    private readonly HandleRegistry<IResolver> _resolvers = new(name => new DenyAllResolver(name));

    private IActorRef Start(EscaperConfig config)
    {
        var guardian = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new EscaperActor(config, _escapers, _resolvers, TimeProvider.System, guardian.Ref)));
        guardian.ExpectMsg<HandlePublished>(TimeSpan.FromSeconds(5));
        return actor;
    }

    [Fact]
    public void Publish_ToAFloatEscaper_IsAppliedAndReadBack_AndBadJsonRefused()
    {
        var actor = Start(new DirectFloatEscaperConfig { Name = "float", Position = new ConfigPosition("e.yml", 1), Resolver = "r" });

        actor.Tell(new PublishEscaper("{\"ipv4\": \"192.0.2.7\"}"));
        Assert.True(ExpectMsg<PublishResult>().Ok);
        actor.Tell(new PublishEscaper("{oops"));
        var refused = ExpectMsg<PublishResult>();
        actor.Tell(GetPublished.Instance);
        var set = ExpectMsg<PublishedSet>();

        Assert.False(refused.Ok);
        Assert.Contains("invalid publish data", refused.Message);
        Assert.Contains("192.0.2.7", set.Json);
        Assert.IsAssignableFrom<IPublishableEscaper>(_escapers.Get("float"));
    }

    [Fact]
    public void Publish_ToAnEscaperWithoutPublish_IsRefused()
    {
        var actor = Start(new DummyDenyEscaperConfig { Name = "deny", Position = new ConfigPosition("e.yml", 1) });

        actor.Tell(new PublishEscaper("{}"));
        var result = ExpectMsg<PublishResult>();
        actor.Tell(GetPublished.Instance);

        Assert.False(result.Ok);
        Assert.Contains("does not take publish", result.Message);
        Assert.Null(ExpectMsg<PublishedSet>().Json);
    }
}
