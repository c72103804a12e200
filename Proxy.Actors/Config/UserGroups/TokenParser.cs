using Proxy.Actors.Config.Loading;
using Proxy.Actors.Users.Tokens;
using YamlDotNet.RepresentationModel;

namespace Proxy.Actors.Config.UserGroups;

/// <summary>
/// A user's <c>token</c> (g3proxy/src/config/auth/user/token/yaml.rs): null = no check; a string = a crypt
/// string; a map = <c>{salt, md5, sha1, blake3|b3}</c> (type fast_hash, the default) or
/// <c>{type: xcrypt_hash, value}</c>.
/// </summary>
internal static class TokenParser
{
    public static PasswordToken FromYaml(YamlNode node)
    {
        if (YamlValue.IsNull(node)) return PasswordToken.SkipVerify;
        if (node is YamlScalarNode) return XCrypt(node);
        if (node is not YamlMappingNode map) throw YamlValue.Expected("null, a crypt string or a map", node);
        string? type = null;
        foreach (var (key, _, value) in YamlValue.Entries(map))
            if (key == "type") type = YamlKey.Normalize(YamlValue.String(value, "a token type"));
        return type switch
        {
            null or "fast_hash" => FastHash(map),
            "xcrypt_hash" => XCrypt(Value(map)),
            _ => throw new ConfigValueException($"unsupported token type '{type}' (fast_hash, xcrypt_hash)", map),
        };
    }

    private static YamlNode Value(YamlMappingNode map)
    {
        YamlNode? value = null;
        foreach (var (key, keyNode, v) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "type": break;
                case "value": value = v; break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        return value ?? throw new ConfigValueException("missing key 'value'", map);
    }

    private static XCryptToken XCrypt(YamlNode node)
    {
        var text = YamlValue.String(node, "a crypt string");
        return XCryptToken.TryParse(text, out var error) ?? throw new ConfigValueException($"invalid crypt string: {error}", node);
    }

    private static FastHashToken FastHash(YamlMappingNode map)
    {
        byte[]? salt = null, md5 = null, sha1 = null, b3 = null;
        foreach (var (key, keyNode, value) in YamlValue.Entries(map))
        {
            switch (key)
            {
                case "type": break;
                case "salt": salt = Hex(value, "salt", FastHashToken.SaltLength); break;
                case "md5": md5 = Hex(value, "md5", 16); break;
                case "sha1": sha1 = Hex(value, "sha1", 20); break;
                case "blake3" or "b3": b3 = Hex(value, "blake3", 32); break;
                default: throw YamlValue.UnknownKey(key, keyNode);
            }
        }
        if (salt is null) throw new ConfigValueException("missing key 'salt'", map);
        if (md5 is null && sha1 is null && b3 is null) throw new ConfigValueException("no hash is set (md5, sha1 or blake3)", map);
        return new FastHashToken(salt, md5, sha1, b3);
    }

    private static byte[] Hex(YamlNode node, string what, int length)
    {
        // g3 wants a YAML string here; an all-digit hex value written plain would be read as a number
        var text = YamlValue.String(node, $"a {what} hex string");
        try
        {
            var bytes = Convert.FromHexString(text);
            return bytes.Length == length ? bytes : throw new ConfigValueException($"invalid length for {what}: {bytes.Length} bytes, expected {length}", node);
        }
        catch (FormatException)
        {
            throw new ConfigValueException($"invalid {what} hex string '{text}'", node);
        }
    }
}
