using Proxy.Actors.Config.Loading;
using Proxy.Actors.Config.Values;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.Sections;

/// <summary>g3's syslog driver map (configuration/log/driver/syslog.rst), aliases included.</summary>
internal static class SyslogDriverParser
{
    private const int FacilityDaemon = 3;

    public static SyslogConfig FromYaml(YamlNode node)
    {
        var c = new SyslogConfig { Facility = FacilityDaemon };
        if (YamlValue.IsNull(node)) return c;
        string? ceeFlag = null;
        foreach (var (key, k, value) in YamlValue.Entries(YamlValue.Map(node, "a map of syslog keys")))
        {
            switch (key)
            {
                case "target_unix" or "backend_unix": c = Unix(c, value); break;
                case "target_udp" or "backend_udp": c = Udp(c, value); break;
                case "target" or "backend":
                    foreach (var (tk, tkn, tv) in YamlValue.Entries(YamlValue.Map(value)))
                    {
                        c = tk switch
                        {
                            "udp" => Udp(c, tv),
                            "unix" => Unix(c, tv),
                            _ => throw YamlValue.UnknownKey(tk, tkn),
                        };
                    }
                    break;
                case "format_rfc5424": c = Rfc5424(c, value); break;
                case "use_cee_log_syntax" or "use_cls": c = c with { UseCeeLogSyntax = YamlValue.Bool(value) }; break;
                case "cee_event_flag" or "cee_cookie":
                    ceeFlag = YamlValue.String(value, "an ASCII string");
                    if (!ceeFlag.All(char.IsAscii)) throw new ConfigValueException("cee_event_flag must be ASCII", value);
                    break;
                case "emit_hostname": c = c with { EmitHostname = YamlValue.Bool(value) }; break;
                case "append_report_ts": c = c with { AppendReportTs = YamlValue.Bool(value) }; break;
                default: throw YamlValue.UnknownKey(key, k);
            }
        }
        return ceeFlag is null ? c : c with { CeeEventFlag = ceeFlag };
    }

    /// <summary>A path string or <c>{path}</c>; the path must be absolute. The last target set wins, as in g3.</summary>
    private static SyslogConfig Unix(SyslogConfig c, YamlNode v)
    {
        string? path = null;
        if (v is YamlMappingNode map)
        {
            foreach (var (key, k, value) in YamlValue.Entries(map))
                path = key == "path" ? YamlValue.String(value, "an absolute path") : throw YamlValue.UnknownKey(key, k);
            if (path is null) throw new ConfigValueException("no path has been set", v);
        }
        else
        {
            path = YamlValue.String(v, "an absolute path");
        }
        if (!Path.IsPathRooted(path)) throw new ConfigValueException($"'{path}' is not an absolute path", v);
        return c with { TargetUnix = path, TargetUdp = null, TargetUdpBindIp = null };
    }

    /// <summary>An address string or <c>{address, bind_ip}</c>; unlike stat, the address is required.</summary>
    private static SyslogConfig Udp(SyslogConfig c, YamlNode v)
    {
        if (v is not YamlMappingNode map)
            return c with { TargetUdp = SockAddrParser.FromYaml(v, 514), TargetUnix = null, TargetUdpBindIp = null };
        System.Net.IPEndPoint? address = null;
        System.Net.IPAddress? bind = null;
        foreach (var (key, k, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "address" or "addr": address = SockAddrParser.FromYaml(value, 514); break;
                case "bind_ip" or "bind": bind = SockAddrParser.Ip(value); break;
                default: throw YamlValue.UnknownKey(key, k);
            }
        }
        if (address is null) throw new ConfigValueException("no target address has been set", v);
        return c with { TargetUdp = address, TargetUdpBindIp = bind, TargetUnix = null };
    }

    /// <summary><c>{enterprise_id, message_id}</c>, an integer (the enterprise id) or a string (the message id).</summary>
    private static SyslogConfig Rfc5424(SyslogConfig c, YamlNode v)
    {
        c = c with { Rfc5424 = true };
        if (v is YamlMappingNode map)
        {
            foreach (var (key, k, value) in YamlValue.Entries(map))
            {
                c = key switch
                {
                    "enterprise_id" => c with { EnterpriseId = (int)YamlValue.Integer(value, int.MinValue, int.MaxValue) },
                    "message_id" => c with { MessageId = YamlValue.String(value) },
                    _ => throw YamlValue.UnknownKey(key, k),
                };
            }
            return c;
        }
        if (YamlValue.IsInteger(v)) return c with { EnterpriseId = (int)YamlValue.Integer(v, int.MinValue, int.MaxValue) };
        if (v is YamlScalarNode s && YamlValue.IsPlain(v) && s.Value is "true" or "false")
            throw YamlValue.Expected("a map, an enterprise id or a message id", v);
        return c with { MessageId = YamlValue.String(v, "a map, an enterprise id or a message id") };
    }
}
