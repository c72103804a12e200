using System.Net;
using System.Text;
using Proxy.Actors.Protocols.Http1;

namespace Proxy.Actors.Protocols.Icap;

/// <summary>
/// Builds ICAP request heads as g3 writes them: the request line with the service URL, Host,
/// Authorization from the URL's user info, the client's address and user name
/// (<c>X-Client-IP</c>, <c>X-Client-Port</c>, <c>X-Client-Username</c>, <c>X-Authenticated-User</c>),
/// then <c>Allow</c>, <c>Preview</c> and <c>Encapsulated</c>.
/// </summary>
public sealed class IcapRequestHead(string method, Uri service, string? basicAuth)
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    public IcapRequestHead Field(string name, string value)
    {
        _fields.Add(new(name, value));
        return this;
    }

    public IcapRequestHead Client(IPEndPoint? client, string? username)
    {
        if (client is not null)
        {
            Field("X-Client-IP", client.Address.ToString());
            Field("X-Client-Port", client.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (!string.IsNullOrEmpty(username))
        {
            Field("X-Client-Username", username);
            Field("X-Authenticated-User", Convert.ToBase64String(Encoding.UTF8.GetBytes("Local://" + username)));
        }
        return this;
    }

    public byte[] Build()
    {
        using var w = new HeadWriter(512);
        w.Append(method).Append(" ").Append(service.AbsoluteUri).Append(" ICAP/1.0\r\n"u8);
        w.Field("Host", service.Authority);
        if (basicAuth is not null) w.Field("Authorization", "Basic " + basicAuth);
        foreach (var f in _fields) w.Field(f.Key, f.Value);
        w.End();
        return w.Written.ToArray();
    }

    /// <summary>An HTTP request head as it is encapsulated (request line and fields, ending with the blank line).</summary>
    public static byte[] Encode(HttpRequestHead req)
    {
        using var w = new HeadWriter(1024);
        w.Append(req.Method).Append(" ").Append(req.Target).Append(req.Version == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n").Fields(req.Headers).End();
        return w.Written.ToArray();
    }

    public static byte[] Encode(HttpResponseHead rsp)
    {
        using var w = new HeadWriter(1024);
        w.Append(rsp.Version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").Append(rsp.Status).Append(" ").Append(rsp.Reason).Append("\r\n").Fields(rsp.Headers).End();
        return w.Written.ToArray();
    }
}
