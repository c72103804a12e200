using System.Text.Json;
using Akka.Actor;
using Proxy.Actors.Config;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Escapers;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary>
/// <c>escaper NAME publish JSON</c> (pbm reads <c>-f FILE</c> itself and sends the text) and
/// <c>escaper NAME published</c>, which prints what the escaper holds now.
/// </summary>
internal static class EscaperWords
{
    private static readonly TimeSpan AskWait = TimeSpan.FromSeconds(10);

    public static async Task<ControlReply> PublishAsync(string name, string data, ProxyConfig config, ActorSystem system, ActorPath escapers)
    {
        if (Find(name, config) is not { } escaper) return ControlReply.Fail($"no escaper named '{name}'");
        try
        {
            using var _ = JsonDocument.Parse(data);
        }
        catch (JsonException e)
        {
            return ControlReply.Fail($"invalid JSON: {e.Message}");
        }
        if (!EscaperMessages.PublishTypes.Contains(escaper.TypeName)) return NotSupported(escaper);
        // The escaper actor's own contract (IPublishableEscaper.cs): PublishEscaper -> PublishResult, GetPublished -> PublishedSet.
        var result = await system.ActorSelection(escapers / Uri.EscapeDataString(name))
            .Ask<PublishResult>(new PublishEscaper(data), AskWait).ConfigureAwait(false);
        return result.Ok ? ControlReply.Done(result.Message) : ControlReply.Fail(result.Message);
    }

    public static async Task<ControlReply> PublishedAsync(string name, ProxyConfig config, ActorSystem system, ActorPath escapers)
    {
        if (Find(name, config) is not { } escaper) return ControlReply.Fail($"no escaper named '{name}'");
        if (!EscaperMessages.PublishTypes.Contains(escaper.TypeName)) return NotSupported(escaper);
        var published = await system.ActorSelection(escapers / Uri.EscapeDataString(name))
            .Ask<PublishedSet>(GetPublished.Instance, AskWait).ConfigureAwait(false);
        return ControlReply.Text([published.Json ?? "null"]);
    }

    private static EscaperConfig? Find(string name, ProxyConfig config) => config.Escapers.FirstOrDefault(e => e.Name == name);

    private static ControlReply NotSupported(EscaperConfig escaper) =>
        ControlReply.Fail($"publish is not supported by escaper type {escaper.TypeName} (escaper '{escaper.Name}')");
}
