using Akka.Actor;
using Proxy.Control.Fleet;

namespace Proxy.Tests.Control;

public sealed class MemberAddressTests
{
    private static readonly Address[] Members =
        [new("akka.tcp", "G3Actors", "127.0.0.1", 2552), new("akka.tcp", "G3Actors", "127.0.0.1", 2551)];

    [Theory]
    [InlineData("127.0.0.1:2551")]
    [InlineData("akka.tcp://G3Actors@127.0.0.1:2551")]
    public void Find_TakesHostPortOrTheFullAddress(string text) =>
        Assert.Equal(Members[1], MemberAddress.Find(text, Members).Address);

    [Theory]
    [InlineData("127.0.0.1:9", "no cluster member at 127.0.0.1:9 (members: 127.0.0.1:2551, 127.0.0.1:2552)")]
    [InlineData("127.0.0.1", "invalid member address '127.0.0.1' (HOST:PORT or akka.tcp://G3Actors@HOST:PORT)")]
    [InlineData("host:99999", "invalid member address 'host:99999' (HOST:PORT or akka.tcp://G3Actors@HOST:PORT)")]
    [InlineData("akka.tcp://G3Actors@", "invalid member address 'akka.tcp://G3Actors@' (HOST:PORT or akka.tcp://G3Actors@HOST:PORT)")]
    public void Find_SaysWhyNot(string text, string error)
    {
        var (address, why) = MemberAddress.Find(text, Members);
        Assert.Null(address);
        Assert.Equal(error, why);
    }
}
