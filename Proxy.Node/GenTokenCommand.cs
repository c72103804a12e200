using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Proxy.Actors.Users.Tokens;

namespace Proxy.Node;

/// <summary>
/// <c>g3actors gen-token [PASSWORD]</c>: prints a user's <c>token</c> as YAML (or JSON for dynamic
/// users), like g3's scripts/passphrase_hash.py. Without a password one is generated and printed.
/// </summary>
public static class GenTokenCommand
{
    public static Command Build()
    {
        var password = new Argument<string?>("password") { Description = "the passphrase (omit to generate one)", Arity = ArgumentArity.ZeroOrOne };
        var salt = new Option<string?>("--salt") { Description = "salt: 16 hex chars for the fast hash, up to 16 crypt chars for --crypt (default: random)" };
        var json = new Option<bool>("--json") { Description = "print the token as JSON (for dynamic user files)" };
        var blake3 = new Option<bool>("--blake3") { Description = "add a blake3 hash to md5 and sha1" };
        var crypt = new Option<string?>("--crypt") { Description = "print a crypt string instead: md5 ($1$), sha256 ($5$) or sha512 ($6$)" };
        crypt.AcceptOnlyFromAmong("md5", "sha256", "sha512");

        var command = new Command("gen-token", "make a user token (g3 user 'token') from a passphrase") { password, salt, json, blake3, crypt };
        command.SetAction(parse =>
        {
            var pw = parse.GetValue(password);
            if (pw is null)
            {
                pw = Convert.ToBase64String(RandomNumberGenerator.GetBytes(10)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                Console.WriteLine($"# password: {pw}");
            }
            try
            {
                Console.Write(Render(pw, parse.GetValue(salt), parse.GetValue(crypt), parse.GetValue(blake3), parse.GetValue(json)));
                return 0;
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("error: " + e.Message);
                return 1;
            }
        });
        return command;
    }

    /// <summary>The token text: a YAML (or JSON) <c>token</c> entry ready to paste into a user.</summary>
    public static string Render(string password, string? salt, string? crypt, bool withBlake3, bool json)
    {
        if (crypt is not null)
        {
            var s = salt ?? RandomCryptSalt();
            if (s.Length is 0 or > 16 || !CryptBase64.IsValid(s))
                throw new ArgumentException("a crypt salt is 1-16 chars of [./0-9A-Za-z]");
            var text = XCryptToken.Create(password, crypt, s);
            return json ? $"{{\"token\": \"{text}\"}}\n" : $"token: \"{text}\"\n";
        }
        byte[] saltBytes;
        try { saltBytes = salt is null ? RandomNumberGenerator.GetBytes(FastHashToken.SaltLength) : Convert.FromHexString(salt); }
        catch (FormatException) { throw new ArgumentException("the salt must be hex"); }
        if (saltBytes.Length != FastHashToken.SaltLength) throw new ArgumentException("the salt must be 8 bytes (16 hex chars)");
        var token = FastHashToken.Create(password, saltBytes);
        var fields = new List<(string, byte[])> { ("salt", token.Salt), ("md5", token.Md5!), ("sha1", token.Sha1!) };
        if (withBlake3) fields.Add(("blake3", token.Blake3Hash!));
        var sb = new StringBuilder();
        if (json)
        {
            sb.Append("{\"token\": {").AppendJoin(", ", fields.Select(f => $"\"{f.Item1}\": \"{Hex(f.Item2)}\"")).Append("}}\n");
        }
        else
        {
            // quoted: an all-digit hex value would otherwise be read as a number
            sb.Append("token:\n");
            foreach (var (k, v) in fields) sb.Append($"  {k}: \"{Hex(v)}\"\n");
        }
        return sb.ToString();
    }

    private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

    private static string RandomCryptSalt() =>
        new(RandomNumberGenerator.GetItems(CryptBase64.Alphabet.AsSpan(), 16));
}
