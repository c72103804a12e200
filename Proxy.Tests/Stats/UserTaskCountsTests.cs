using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;
using Proxy.Actors.Stats;
using Proxy.Actors.Users;

namespace Proxy.Tests.Stats;

/// <summary>
/// How a task's counts reach its user's objects: found once when it passes the user's rules,
/// bytes and packets moved with the server's sampling, exactly once, and an explicit site's
/// copy only for a target in the site.
/// </summary>
public sealed class UserTaskCountsTests
{
    private static readonly UserSiteConfig[] Sites =
    [
        new() { Id = "quiet", ExactMatch = ["quiet.test"] },
        new() { Id = "lab", ChildMatch = ["lab.test"], SubnetMatch = [IPNetwork.Parse("192.0.2.0/24")], EmitStats = true },
    ];

    private static TaskNotes Notes(string taskType) => new() { ServerType = "SocksProxy", ServerName = "socks", TaskType = taskType, StartAt = DateTimeOffset.UnixEpoch };

    [Fact]
    public void UdpTask_BytesAndPacketsAfterTheRules_ReachUserSiteAndUpstream_OnceEach()
    {
        var server = new ServerStats();
        var escaper = new EscaperStats();
        var owner = new User("root", "staff", UserKind.Dynamic, new UserConfig { Name = "root" }, TimeProvider.System);
        var notes = Notes("UdpConnect");
        notes.Bytes.ClientRead = 30; // the SOCKS negotiation: not the user's traffic
        server.TaskStarted(notes);

        var site = SiteUser().SiteOf(new UpstreamAddr("192.0.2.9", 53));
        var counts = UserTaskCounts.Attach(owner, site, firstOnConnection: true, ProxyRequestType.SocksUdpAssociate, notes, server);
        Assert.Same(counts, UserTaskCounts.Attach(owner, null, true, ProxyRequestType.SocksUdpAssociate, notes, server));
        notes.Packets = new TaskPackets();
        notes.EscaperStats = escaper;
        for (var i = 0; i < 3; i++)
        {
            notes.Bytes.ClientRead += 110;
            notes.Packets.ClientRead++;
            notes.Bytes.RemoteWritten += 100;
            notes.Packets.RemoteWritten++;
        }
        server.SampleTraffic();
        notes.Bytes.RemoteRead += 200;
        notes.Packets.RemoteRead++;
        notes.Bytes.ClientWritten += 210;
        notes.Packets.ClientWritten++;
        Assert.Equal(1, counts.User.Alive(UserRequestType.SocksUdpConnect));
        server.TaskFinished(notes);
        server.SampleTraffic();

        var user = Assert.Single(server.Users.Keys, u => u.SiteId is null);
        var siteStats = Assert.Single(server.Users.Keys, u => u.SiteId == "lab");
        foreach (var s in new[] { user, siteStats })
        {
            Assert.Equal(new UserStatsIdentity("staff", "root", "Dynamic"), s.User);
            Assert.Equal(1, s.Requests(UserRequestType.SocksUdpConnect));
            Assert.Equal(0, s.Requests(UserRequestType.SocksUdpAssociate));
            Assert.Equal(0, s.Alive(UserRequestType.SocksUdpConnect));
            Assert.Equal(1, s.Connections(UserConnectionType.Socks));
            Assert.Equal((330, 3, 210, 1), (s.InBytes(UserRequestType.SocksUdpConnect), s.InPackets(UserRequestType.SocksUdpConnect),
                s.OutBytes(UserRequestType.SocksUdpConnect), s.OutPackets(UserRequestType.SocksUdpConnect)));
        }
        Assert.Equal(2, escaper.Users.Count);
        foreach (var up in escaper.Users.Keys)
        {
            Assert.Equal((200, 1, 300, 3), (up.UdpInBytes, up.UdpInPackets, up.UdpOutBytes, up.UdpOutPackets));
            Assert.Equal(0, up.TcpOutBytes);
        }
        // the server's own traffic is counted as before, negotiation included
        Assert.Equal(360, server.InBytes);
    }

    /// <summary>A task takes the escaper counters its user's last task used as a guess: right or wrong, its bytes reach its own escaper's.</summary>
    [Fact]
    public void TasksOfOneUser_ThroughTwoEscapers_CountUpstreamBytesIntoEachEscapersOwn()
    {
        var server = new ServerStats();
        var (a, b) = (new EscaperStats(), new EscaperStats());
        var user = new User("root", "staff", UserKind.Static, new UserConfig { Name = "root" }, TimeProvider.System);
        foreach (var (escaper, bytes) in new[] { (a, 100), (a, 10), (b, 1000), (a, 1) })
        {
            var notes = Notes("TcpConnect");
            server.TaskStarted(notes);
            UserTaskCounts.Attach(user, null, firstOnConnection: false, ProxyRequestType.HttpForward, notes, server);
            notes.EscaperStats = escaper;
            notes.Bytes.RemoteRead += bytes;
            server.TaskFinished(notes);
        }
        Assert.Equal(111, Assert.Single(a.Users.Keys).TcpInBytes);
        Assert.Equal(1000, Assert.Single(b.Users.Keys).TcpInBytes);
        Assert.Equal(4, user.ForServer(server, null).Requests(UserRequestType.HttpForward));
    }

    [Theory]
    [InlineData("www.lab.test", "lab")]
    [InlineData("lab.test", "lab")]
    [InlineData("xlab.test", null)]
    [InlineData("quiet.test", null)] // a site without emit_stats has no metrics
    [InlineData("192.0.2.200", "lab")]
    [InlineData("198.51.100.1", null)]
    public void ExplicitSites_MatchExactChildAndSubnet_OnlyWithEmitStats(string host, string? site)
    {
        var user = SiteUser();
        var server = new ServerStats();
        UserTaskCounts.Attach(user, user.SiteOf(new UpstreamAddr(host, 443)), true, ProxyRequestType.HttpsForward, Notes("TcpConnect"), server);
        Assert.Equal(site, server.Users.Keys.SingleOrDefault(u => u.SiteId is not null)?.SiteId);
    }

    private static User SiteUser() =>
        new("root", "staff", UserKind.Dynamic, new UserConfig { Name = "root", ExplicitSites = Sites }, TimeProvider.System);

    [Fact]
    public void ARebuiltUser_CountsIntoTheSameObjects()
    {
        var config = new UserConfig { Name = "root" };
        var user = new User("root", "staff", UserKind.Static, config, TimeProvider.System);
        var server = new ServerStats();
        var before = user.Stats.ForServer(server, null);
        Assert.Same(before, user.Rebuild(config with { RequestMaxAlive = 3 }, UserKind.Static).Stats.ForServer(server, null));
        Assert.Single(server.Users);
    }
}
