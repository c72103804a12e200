namespace Proxy.Actors.Config.Values;

/// <summary>g3's <c>happy_eyeballs</c> knobs (RFC 8305).</summary>
public sealed record HappyEyeballsConfig
{
    public TimeSpan ResolutionDelay { get; init; } = TimeSpan.FromMilliseconds(50);
    public TimeSpan SecondResolutionTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public int FirstAddressFamilyCount { get; init; } = 1;
    public TimeSpan ConnectionAttemptDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    public static readonly HappyEyeballsConfig Default = new();
}
