namespace Proxy.Actors.Escapers;

/// <summary>The answer to a publish: accepted, or refused with the reason (the last good set stays).</summary>
public sealed record PublishResult(bool Ok, string Message);

/// <summary>An escaper whose set of exits comes at runtime (g3's <c>publish</c>): direct_float, proxy_float.</summary>
public interface IPublishableEscaper
{
    /// <summary>Validates all of <paramref name="json"/> before applying any of it.</summary>
    PublishResult Publish(string json);

    /// <summary>The set in force now (expired entries left out), as JSON in the publish format.</summary>
    string Published();
}

/// <summary>Asks an escaper actor to take a published set (what <c>pbm escaper NAME publish</c> sends). Answered with <see cref="PublishResult"/>.</summary>
public sealed record PublishEscaper(string Json);

/// <summary>Asks an escaper actor for the set in force. Answered with <see cref="PublishedSet"/>.</summary>
public sealed record GetPublished
{
    public static readonly GetPublished Instance = new();
}

/// <summary>The published set in force, JSON; null when the escaper takes no publish.</summary>
public sealed record PublishedSet(string? Json);
