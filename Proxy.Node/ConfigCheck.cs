using Proxy.Actors.Config;

namespace Proxy.Node;

/// <summary><c>-t</c>: load and validate the config, print OK (with warnings) or every error.</summary>
public static class ConfigCheck
{
    public static int Run(string path, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var config = ConfigLoader.Load(path);
            foreach (var w in config.Warnings) stdout.WriteLine("warning: " + w);
            stdout.WriteLine("OK");
            return 0;
        }
        catch (ConfigException e)
        {
            foreach (var err in e.Errors) stderr.WriteLine("error: " + err);
            return 1;
        }
        catch (IOException e)
        {
            stderr.WriteLine("error: " + e.Message);
            return 1;
        }
    }
}
