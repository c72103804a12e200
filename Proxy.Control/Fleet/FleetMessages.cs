namespace Proxy.Control.Fleet;

/// <summary>
/// <c>--cluster</c>: the words one member's control actor should run, sent over remoting to the
/// member's <see cref="FleetMemberActor"/>. Arrays of strings only, so the default serializer carries them.
/// </summary>
internal sealed record FleetRequest(string[] Words);

/// <summary>A member's answer: its control reply's lines, then notice or error.</summary>
internal sealed record FleetReply(string[] Lines, string? Notice, string? Error);
