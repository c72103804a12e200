using System.Net;
using Akka.Actor;
using Proxy.Actors.Users;

namespace Proxy.Tests.Integration;

/// <summary>A node whose main.yml has a user_group section: the guardian spawns and publishes it.</summary>
[Collection(NodeCollection.Name)]
public sealed class UserGroupNodeTests
{
    [Fact]
    public async Task Node_WithUserGroup_PublishesIt_AtUserGroupsPath()
    {
        var yaml = ProxyUnderTest.HttpProxyYaml() + """

            user_group:
              - name: staff
                static_users:
                  - name: root
                    token: "$1$rnfSARNK$DJNIbbMpjjSmral92rE3k1"
            """;
        await using var proxy = await ProxyUnderTest.StartAsync(yaml);
        Assert.True(proxy.Node.Services.UserGroups.TryGet("staff", out var group));
        Assert.True((await group.AuthenticateAsync("root", "toor", IPAddress.Loopback, CancellationToken.None)).Ok);
        Assert.Equal(AuthStatus.WrongPassword, (await group.AuthenticateAsync("root", "root", IPAddress.Loopback, CancellationToken.None)).Status);

        var actor = await proxy.Node.System.ActorSelection("/user/node/user-groups/staff/handle").ResolveOne(TimeSpan.FromSeconds(10));
        var published = await actor.Ask<UserGroupActor.PublishUsersResult>(new UserGroupActor.PublishUsers("""[{"name": "dyn", "token": null}]"""), TimeSpan.FromSeconds(10));
        Assert.True(published.Ok, published.Error);
        Assert.True((await proxy.Node.Services.UserGroups.Get("staff").AuthenticateAsync("dyn", "x", IPAddress.Loopback, CancellationToken.None)).Ok);
    }
}
