using Proxy.Actors.Config;

namespace Proxy.Tests.Config.Escapers;

/// <summary>Loads a main file holding one escaper list (and a resolver 'r'), or the refusal.</summary>
internal static class EscaperConfigLoad
{
    public static ProxyConfig Load(string escapers)
    {
        using var dir = new TempConfigDir();
        var main = dir.Write("g3proxy.yaml", "resolver:\n  - name: r\n    type: c-ares\nescaper:\n" + escapers);
        return ConfigLoader.Load(main);
    }

    public static ConfigException Refused(string escapers) => Assert.Throws<ConfigException>(() => Load(escapers));
}
