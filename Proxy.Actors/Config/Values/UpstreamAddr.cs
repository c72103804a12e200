using System.Net;

namespace Proxy.Actors.Config.Values;

/// <summary>A target as a client names it: a domain or an IP, and a port.</summary>
public sealed record UpstreamAddr(string Host, int Port)
{
    // Ip is read on every request by the filters, site match and escaper: parsed once per address.
    private IPAddress? _ip;
    private bool _ipParsed;

    public string Host
    {
        get;
        init
        {
            field = value;
            _ip = null;
            _ipParsed = false;
        }
    } = Host;

    /// <summary>The host as an IP when it is one (brackets stripped), else null.</summary>
    public IPAddress? Ip
    {
        get
        {
            // a benign race: two threads may both parse, and store the same value
            if (!Volatile.Read(ref _ipParsed))
            {
                _ip = IPAddress.TryParse(Host.Trim('[', ']'), out var ip) ? ip : null;
                Volatile.Write(ref _ipParsed, true);
            }
            return _ip;
        }
    }

    // The parsed IP follows from Host: equality stays the host and the port.
    public bool Equals(UpstreamAddr? other) => other is not null && Host == other.Host && Port == other.Port;

    public override int GetHashCode() => HashCode.Combine(Host, Port);

    public override string ToString() =>
        Host.Contains(':') && !Host.StartsWith('[') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
