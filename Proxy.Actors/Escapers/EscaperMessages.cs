namespace Proxy.Actors.Escapers;

/// <summary>
/// Dynamic data pushed to an escaper (g3's <c>escaper NAME publish</c>) and read back. Sent by the
/// control plane to /user/node/escapers/NAME (the back-off supervisor forwards to the owner), and
/// only for escaper types listed in <see cref="PublishTypes"/>; every other type is answered
/// "not supported by escaper type X" without asking.
/// </summary>
public static class EscaperMessages
{
    /// <summary>g3 escaper types that take <c>publish</c> (canonical TypeName, as EscaperConfig.TypeName gives it).</summary>
    public static readonly IReadOnlySet<string> PublishTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "DirectFloat", "ProxyFloat",
    };

    /// <summary>Replace the escaper's published data with <paramref name="Json"/> (already checked to be JSON).</summary>
    public sealed record PublishEscaper(string Json);

    /// <summary>Answer to <see cref="PublishEscaper"/>: <paramref name="Error"/> null when applied.</summary>
    public sealed record PublishResult(string? Error, string? Notice = null);

    /// <summary>Ask for what is published now; answered with <see cref="Published"/>.</summary>
    public sealed record GetPublished
    {
        public static readonly GetPublished Instance = new();
    }

    /// <summary>The published data as JSON (<c>null</c> JSON when nothing was published).</summary>
    public sealed record Published(string Json);
}
