using Akka.Actor;
using Proxy.Actors.Config;
using Proxy.Actors.Guardian;
using Proxy.Control.Host;

namespace Proxy.Control.Commands;

/// <summary>
/// <c>reload</c> and <c>reload-KIND NAME</c>: re-read the config files (the main file and every
/// module file it names), refuse the reload with the loader's reasons if anything is wrong (the
/// running config stays), else have the guardian rebuild the object(s).
/// </summary>
internal static class ReloadWord
{
    private static readonly TimeSpan GuardianWait = TimeSpan.FromSeconds(30);

    public sealed record Outcome(ProxyConfig? Config, ControlReply Reply);

    public static async Task<Outcome> RunAsync(string? family, string? name, ProxyConfig current, IActorRef guardian)
    {
        if (family is "auditor") return new(null, ControlReply.Fail($"not supported yet: reload-{family}"));
        if (family is not (null or "server" or "escaper" or "resolver" or "user-group"))
            return new(null, ControlReply.Fail($"unknown command 'reload-{family}' (try: help)"));
        if (family is not null && !ObjectNames.Of(current)[family].Contains(name!))
            return new(null, ControlReply.Fail($"no {family} named '{name}'"));

        ProxyConfig next;
        try
        {
            // Off the actor thread: the loader reads files.
            next = await Task.Run(() => ConfigLoader.Load(current.MainFile)).ConfigureAwait(false);
        }
        catch (ConfigException e)
        {
            return new(null, new ControlReply(e.Errors.Select(x => x.ToString()).ToList(),
                Error: "config refused, the running config is kept"));
        }
        catch (IOException e)
        {
            return new(null, ControlReply.Fail("config refused, the running config is kept: " + e.Message));
        }

        var result = await guardian.Ask<ReloadMessages.Reloaded>(new ReloadMessages.Reload(next, family, name), GuardianWait)
            .ConfigureAwait(false);
        if (result.Errors.Count > 0)
            return new(null, new ControlReply(result.Errors, Error: "reload failed for part of the config"));
        var what = family is null ? $"node reloaded ({result.Done.Count} objects)" : $"{family} '{name}' reloaded";
        var config = family is null ? next : Merge(current, next, family, name!);
        return new(config, new ControlReply(family is null ? result.Done : [], what));
    }

    /// <summary>The running config with one object taken from <paramref name="next"/>.</summary>
    private static ProxyConfig Merge(ProxyConfig current, ProxyConfig next, string family, string name) => family switch
    {
        "server" => current with { Servers = current.Servers.Select(s => s.Name == name ? next.Servers.First(n => n.Name == name) : s).ToList() },
        "escaper" => current with { Escapers = current.Escapers.Select(s => s.Name == name ? next.Escapers.First(n => n.Name == name) : s).ToList() },
        "user-group" => current with { UserGroups = current.UserGroups.Select(s => s.Name == name ? next.UserGroups.First(n => n.Name == name) : s).ToList() },
        _ => current with { Resolvers = current.Resolvers.Select(s => s.Name == name ? next.Resolvers.First(n => n.Name == name) : s).ToList() },
    };
}
