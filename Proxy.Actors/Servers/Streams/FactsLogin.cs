using System.Net;
using Proxy.Actors.Config.Acl;
using Proxy.Actors.Config.Servers;
using Proxy.Actors.Config.Values;
using Proxy.Actors.Logging;
using Proxy.Actors.Servers.Common;
using Proxy.Actors.Users;

namespace Proxy.Actors.Servers.Streams;

/// <summary>
/// The user of a stream, SNI or transparent connection, picked by g3's facts group from the
/// auth_by_* fact (client IP, server IP, or the target's name). A server without auth_by_* has no
/// user; one whose group is missing, not a facts group, or has no user for the fact refuses the
/// connection (g3's ClientAuthFailed), as does a user whose ingress filter forbids the client.
/// </summary>
internal static class FactsLogin
{
    /// <summary>The outcome: go on (with a user or without one), or refused (the reason is in the notes).</summary>
    public readonly record struct Outcome(bool Refused, User? User);

    public static Outcome Pick(ServerContext server, ConnectionFacts facts, UpstreamAddr? target, TaskNotes notes)
    {
        if (server.Config is not IFactsAuthServer { AuthMatch: { } match }) return new Outcome(false, null);
        // g3 keeps only a facts group for these servers; any other acts as none.
        var group = server.UserGroup is { TypeName: "facts" } g ? g : null;
        var user = group is null ? null : match switch
        {
            FactsAuthMatch.ClientIp => group.MatchFacts(facts.ClientAddr?.Address, null),
            // the server ip of a transparent connection is where the client meant to go
            FactsAuthMatch.ServerIp => group.MatchFacts((facts.OriginalDestination ?? facts.ServerAddr)?.Address, null),
            _ when target is null => null,
            _ when IPAddress.TryParse(target.Host.Trim('[', ']'), out var ip) => group.MatchFacts(ip, null),
            _ => group.MatchFacts(null, target.Host),
        };
        if (user is null) return Refuse(notes, "ClientAuthFailed", $"no user of the facts group matches the {Fact(match)}");
        notes.User = user.Name;
        notes.UserEgressPath = user.EgressPath;
        if (facts.ClientAddr is { } client && user.CheckClient(client.Address).IsForbidden())
        {
            UserAuthCounts.UserOnly(new AuthResult(AuthStatus.ForbiddenSource, user), server.Stats);
            return Refuse(notes, "ForbiddenByRule", "client ip blocked by the user's ingress_network_filter");
        }
        return new Outcome(false, user);
    }

    private static string Fact(FactsAuthMatch match) => match switch
    {
        FactsAuthMatch.ClientIp => "client ip",
        FactsAuthMatch.ServerIp => "server ip",
        _ => "server name",
    };

    private static Outcome Refuse(TaskNotes notes, string reason, string error)
    {
        notes.Reason = reason;
        notes.Error = error;
        return new Outcome(true, null);
    }
}
