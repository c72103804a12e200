using System.Net;
using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Users;

namespace Proxy.Tests.Users.Sites;

/// <summary>Which explicit site a target is in, as g3's fetch_site, and what a site changes for its tasks.</summary>
public sealed class UserSitesTests
{
    private static readonly UserSiteConfig[] Sites =
    [
        new() { Id = "exact", ExactMatch = ["api.lab.test", "192.0.2.7"] },
        new() { Id = "lab", ChildMatch = ["lab.test"], SubnetMatch = [IPNetwork.Parse("192.0.2.0/24")] },
        new() { Id = "deep", ChildMatch = ["x.lab.test"], SubnetMatch = [IPNetwork.Parse("192.0.2.128/25")], ResolveStrategy = new ResolveStrategy(ResolveQuery.Ipv6Only) },
        new() { Id = "v6", SubnetMatch = [IPNetwork.Parse("2001:db8::/32")] },
    ];

    private static User Make(UserConfig config) => new(config.Name, "staff", UserKind.Static, config, TimeProvider.System);

    [Theory]
    [InlineData("api.lab.test", "exact")] // an exact name wins over its parent
    [InlineData("API.Lab.Test.", "exact")]
    [InlineData("lab.test", "lab")]
    [InlineData("www.lab.test", "lab")]
    [InlineData("a.x.lab.test", "deep")] // the nearest parent
    [InlineData("x.lab.test", "deep")]
    [InlineData("xlab.test", null)]
    [InlineData("192.0.2.7", "exact")] // an exact address wins over its subnet
    [InlineData("192.0.2.9", "lab")]
    [InlineData("192.0.2.200", "deep")] // the longest subnet
    [InlineData("[2001:db8::1]", "v6")]
    [InlineData("198.51.100.1", null)]
    public void SiteOf_MatchesAsG3(string host, string? site) =>
        Assert.Equal(site, Make(new UserConfig { Name = "root", ExplicitSites = Sites }).SiteOf(new UpstreamAddr(host, 443))?.Id);

    [Fact]
    public void AUserWithoutTheKeys_HasNoSitesAndNoEscapeOverrides()
    {
        var user = Make(new UserConfig { Name = "plain" });
        Assert.Null(user.Sites);
        Assert.Null(user.Escape);
        Assert.Null(user.SiteOf(new UpstreamAddr("lab.test", 80)));
    }

    [Fact]
    public void ASitesStrategy_OverridesTheUsers_ASiteWithoutOne_UsesTheUsers_TheRedirectionIsTheUsers()
    {
        var user = Make(new UserConfig
        {
            Name = "root",
            ResolveStrategy = new ResolveStrategy(ResolveQuery.Ipv4Only),
            ResolveRedirection = [new ResolveRedirection(false, "a.test", [IPAddress.Loopback], null)],
            ExplicitSites = Sites,
        });

        var deep = user.SiteOf(new UpstreamAddr("x.lab.test", 80))!;
        var lab = user.SiteOf(new UpstreamAddr("lab.test", 80))!;

        Assert.Equal(ResolveQuery.Ipv6Only, deep.Escape!.ResolveStrategy!.Query);
        Assert.Same(user.Escape, lab.Escape);
        Assert.Equal(ResolveQuery.Ipv4Only, user.Escape!.ResolveStrategy!.Query);
        Assert.Same(user.Escape.Redirection, deep.Escape.Redirection);
        Assert.NotEqual(user.Escape.PoolTag, deep.Escape.PoolTag);
    }
}
