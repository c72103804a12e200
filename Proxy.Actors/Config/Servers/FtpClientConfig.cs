using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Servers;

/// <summary>g3's ftp client config (http_proxy <c>ftp_client</c>), with g3's defaults.</summary>
public sealed record FtpClientConfig
{
    public static readonly FtpClientConfig Default = new();

    /// <summary>Control and data connections each.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan GreetingTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>EPSV before PASV even when FEAT does not list it.</summary>
    public bool AlwaysTryEpsv { get; init; } = true;
    public int ControlMaxLineLength { get; init; } = 2048;
    public int ControlMaxMultiLines { get; init; } = 128;
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long the end of a transfer waits for the other channel (the 226 after the data, or the data after the 226).</summary>
    public TimeSpan EndWaitTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public int ListMaxEntries { get; init; } = 1024;
    public int ListMaxLineLength { get; init; } = 2048;
    /// <summary>g3 caps it at 300s.</summary>
    public TimeSpan ListAllTimeout { get; init; } = TimeSpan.FromSeconds(120);
}

/// <summary>Reads g3's ftp client map: <c>control</c>, <c>transfer</c>, <c>connect_timeout</c>, <c>greeting_timeout</c>, <c>always_try_epsv</c>.</summary>
internal static class FtpClientParser
{
    private static readonly KeyTable<FtpClientConfig> ControlKeys = new KeyTable<FtpClientConfig>()
        .On("max_line_len|max_line_length", (c, v, _) => c with { ControlMaxLineLength = HumanSize.FromYamlInt32(v) })
        .On("max_multi_lines", (c, v, _) => c with { ControlMaxMultiLines = YamlValue.Int32(v, 1) })
        .On("command_timeout", (c, v, _) => c with { CommandTimeout = HumanDuration.FromYaml(v) });

    private static readonly KeyTable<FtpClientConfig> TransferKeys = new KeyTable<FtpClientConfig>()
        .On("list_max_line_len|list_max_line_length", (c, v, _) => c with { ListMaxLineLength = HumanSize.FromYamlInt32(v) })
        .On("list_max_entries", (c, v, _) => c with { ListMaxEntries = YamlValue.Int32(v, 1) })
        .On("list_all_timeout", (c, v, _) => c with { ListAllTimeout = Min(HumanDuration.FromYaml(v), TimeSpan.FromSeconds(300)) })
        .On("end_wait_timeout", (c, v, _) => c with { EndWaitTimeout = HumanDuration.FromYaml(v) });

    private static readonly KeyTable<FtpClientConfig> Keys = new KeyTable<FtpClientConfig>()
        .On("control", (c, v, s) => ControlKeys.Apply(c, YamlValue.Map(v), s))
        .On("transfer", (c, v, s) => TransferKeys.Apply(c, YamlValue.Map(v), s))
        .On("connect_timeout", (c, v, _) => c with { ConnectTimeout = HumanDuration.FromYaml(v) })
        .On("greeting_timeout", (c, v, _) => c with { GreetingTimeout = HumanDuration.FromYaml(v) })
        .On("always_try_epsv", (c, v, _) => c with { AlwaysTryEpsv = YamlValue.Bool(v) });

    public static FtpClientConfig FromYaml(YamlNode node, EntryScope scope) => Keys.Apply(FtpClientConfig.Default, YamlValue.Map(node), scope);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
