using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Proxy.Actors.Config.Escapers;
using Proxy.Actors.Escapers.Direct;
using Proxy.Actors.Handles;
using Proxy.Actors.Resolvers;

namespace Proxy.Actors.Escapers.Float;

/// <summary>
/// g3's <c>direct_float</c>: direct_fixed with bind IPs that arrive by publish
/// (<c>{"ipv4": ..., "ipv6": ...}</c>; a key present replaces that family's set, one absent keeps
/// it). Each family's last good set is written to its cache file and read back at start, so a
/// restart does not lose it. Entries past their <c>expire</c> are skipped at connect time, so they
/// drop out by themselves. Connections bind to a random live address of the target's family.
/// </summary>
/// <remarks>
/// Unlike g3, a publish is checked whole before any family is applied: a bad ipv6 part does not
/// leave a new ipv4 set behind.
/// </remarks>
public sealed class DirectFloatEscaper : IEscaper, IPublishableEscaper, IDisposable
{
    private readonly DirectFixedEscaper _direct;
    private readonly DirectFloatEscaperConfig _config;
    private readonly TimeProvider _time;
    private volatile BindSets _sets = new([], []);

    private sealed record BindSets(IReadOnlyList<FloatBindIp> V4, IReadOnlyList<FloatBindIp> V6);

    public DirectFloatEscaper(DirectFloatEscaperConfig config, HandleRegistry<IResolver> resolvers,
        ISocketConnector? connector = null, TimeProvider? time = null)
    {
        _config = config;
        _time = time ?? TimeProvider.System;
        _direct = new DirectFixedEscaper(config with { BindIp = [] }, resolvers, connector, _time);
        _sets = new BindSets(LoadCache(config.CacheIpv4, AddressFamily.InterNetwork), LoadCache(config.CacheIpv6, AddressFamily.InterNetworkV6));
    }

    public string Name => _config.Name;
    public string TypeName => _config.TypeName;

    public ValueTask<EscapeResult> EscapeAsync(EscapeRequest request, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var sets = _sets;
        var live = sets.V4.Concat(sets.V6).Where(b => b.LiveAt(now));
        // g3's order: bind ips named by the task's egress path id, then one given whole as JSON, then any live one
        string? why;
        if (request.Task.EgressStringId(Name) is { } id)
        {
            live = live.Where(b => b.Id == id);
            why = $"no bind ip with id '{id}' published";
        }
        else if (request.Task.EgressJsonValue(Name) is { } json)
        {
            (live, why) = FromJson(json, now);
        }
        else
        {
            why = "no bind ip published (or all expired)";
        }
        var ips = live.Select(b => b.Ip).ToList();
        if (ips.Count == 0)
            return new(EscapeResult.Fail(EscapeErrorKind.EscaperNotUsable, $"escaper '{Name}': {why}"));
        return _direct.EscapeAsync(request, ips, ct);
    }

    private static (IEnumerable<FloatBindIp>, string) FromJson(string json, DateTimeOffset now)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var bind = FloatBindIp.Parse(doc.RootElement, null);
            return (bind.LiveAt(now) ? [bind] : [], "expired bind ip json value");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return ([], "invalid bind ip json value: " + e.Message);
        }
    }

    public PublishResult Publish(string json)
    {
        IReadOnlyList<FloatBindIp>? v4 = null, v6 = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return new(false, "the published data must be a JSON map");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "ipv4" or "v4": v4 = FloatBindIp.ParseList(p.Value, AddressFamily.InterNetwork); break;
                    case "ipv6" or "v6": v6 = FloatBindIp.ParseList(p.Value, AddressFamily.InterNetworkV6); break;
                    default: return new(false, $"no action defined for key '{p.Name}'");
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return new(false, "invalid publish data: " + e.Message);
        }
        try
        {
            if (v4 is not null) SaveCache(_config.CacheIpv4, v4);
            if (v6 is not null) SaveCache(_config.CacheIpv6, v6);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(false, "cannot write the cache file: " + e.Message);
        }
        var old = _sets;
        _sets = new BindSets(v4 ?? old.V4, v6 ?? old.V6);
        return new(true, $"published {(v4 ?? old.V4).Count} IPv4 and {(v6 ?? old.V6).Count} IPv6 bind ip(s)");
    }

    public string Published()
    {
        var now = _time.GetUtcNow();
        var sets = _sets;
        return new JsonObject
        {
            ["ipv4"] = new JsonArray(sets.V4.Where(b => b.LiveAt(now)).Select(b => b.ToJson()).ToArray()),
            ["ipv6"] = new JsonArray(sets.V6.Where(b => b.LiveAt(now)).Select(b => b.ToJson()).ToArray()),
        }.ToJsonString();
    }

    private static void SaveCache(string? path, IReadOnlyList<FloatBindIp> set)
    {
        if (path is null) return;
        File.WriteAllText(path, new JsonArray(set.Select(b => b.ToJson()).ToArray()).ToJsonString());
    }

    /// <summary>The last good set from the cache file; an absent, empty or unreadable file gives none.</summary>
    private static IReadOnlyList<FloatBindIp> LoadCache(string? path, AddressFamily family)
    {
        if (path is null || !File.Exists(path)) return [];
        try
        {
            var text = File.ReadAllText(path);
            if (string.IsNullOrWhiteSpace(text)) return [];
            using var doc = JsonDocument.Parse(text);
            return FloatBindIp.ParseList(doc.RootElement, family);
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public void Dispose() => _direct.Dispose();
}
