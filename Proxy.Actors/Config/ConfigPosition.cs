namespace Proxy.Actors.Config;

/// <summary>Where an entry came from, so errors and reloads can name it.</summary>
public sealed record ConfigPosition(string File, int Line, int DocIndex = 0)
{
    public override string ToString() => $"{File}:{Line}";
}
