using Proxy.Actors.Config.UserGroups;
using Proxy.Actors.Users.Sources;
using Proxy.Tests.Config;

namespace Proxy.Tests.Users.Sources;

public sealed class UserSourceTests
{
    private const string UsersJson = """[{"name": "alice", "token": {"salt": "4e8f8a4e37f0fa1b", "md5": "d9d963915b9815d4cc39c196c2868900"}}, {"name": "bob", "token": null, "request_max_alive": 3}]""";

    [Fact]
    public async Task File_Json_And_Yaml_LoadUsers()
    {
        using var dir = new TempConfigDir();
        var json = dir.Write("users.json", UsersJson);
        var yaml = dir.Write("users.yml", "- name: carol\n  token: ~\n---\nname: dave\n");
        var fromJson = await new FileUserSource(new FileUserSourceConfig(json, UserFileFormat.Json), "g").FetchAsync(CancellationToken.None);
        Assert.True(fromJson.Ok, fromJson.Error);
        Assert.Equal(["alice", "bob"], fromJson.Users.Select(u => u.Name));
        Assert.True(fromJson.Users[0].Token.Verify("toor"));
        Assert.Equal(3, fromJson.Users[1].RequestMaxAlive);
        var fromYaml = await new FileUserSource(new FileUserSourceConfig(yaml, UserFileFormat.Yaml), "g").FetchAsync(CancellationToken.None);
        Assert.Equal(["carol", "dave"], fromYaml.Users.Select(u => u.Name));
    }

    [Fact]
    public async Task File_BadUser_FailsTheWholeFetch_NamingLineAndKey()
    {
        using var dir = new TempConfigDir();
        var json = dir.Write("users.json", "[\n{\"name\": \"a\"},\n{\"name\": \"b\", \"dst_host_filter_set\": {\"regex\": [\"(bad\"]}}\n]");
        var fetch = await new FileUserSource(new FileUserSourceConfig(json, UserFileFormat.Json), "g").FetchAsync(CancellationToken.None);
        Assert.False(fetch.Ok);
        Assert.Contains("users.json:3: user_group 'g' user 'b': key 'dst_host_filter_set': invalid regex '(bad'", fetch.Error);
        var missing = await new FileUserSource(new FileUserSourceConfig(Path.Combine(dir.Root, "none.json"), UserFileFormat.Json), "g").FetchAsync(CancellationToken.None);
        Assert.Contains("failed to read in file", missing.Error);
    }

    [Fact]
    public async Task Lua_ScriptReturnsUsersJson_SeesFile_AndReports()
    {
        using var dir = new TempConfigDir();
        var report = Path.Combine(dir.Root, "report.txt");
        var fetch = dir.Write("fetch.lua", $$"""
            local users = '[{"name": "lua-user", "token": null}, {"name": "' .. string.match(__file__, "([^/]+)$") .. '"}]'
            return users
            """);
        var reportScript = dir.Write("report.lua", $$"""
            function reportOk() local f = io.open("{{report}}", "w"); f:write("ok"); f:close() end
            function reportErr(msg) local f = io.open("{{report}}", "w"); f:write("err: " .. msg); f:close() end
            """);
        var source = new LuaUserSource(new LuaUserSourceConfig(fetch, TimeSpan.FromSeconds(5), reportScript, TimeSpan.FromSeconds(5)), "g");
        var result = await source.FetchAsync(CancellationToken.None);
        Assert.True(result.Ok, result.Error);
        Assert.Equal(["lua-user", "fetch.lua"], result.Users.Select(u => u.Name));
        Assert.Equal("ok", await File.ReadAllTextAsync(report));

        dir.Write("fetch.lua", "return '[{\"nam\": 1}]'");
        var bad = await source.FetchAsync(CancellationToken.None);
        Assert.False(bad.Ok);
        Assert.StartsWith("err: ", await File.ReadAllTextAsync(report));
    }

    [Fact]
    public async Task Lua_RunawayScript_TimesOut_AndErrorsAreValues()
    {
        using var dir = new TempConfigDir();
        var loop = dir.Write("loop.lua", "while true do end");
        var result = await new LuaUserSource(new LuaUserSourceConfig(loop, TimeSpan.FromMilliseconds(300), null, TimeSpan.FromSeconds(1)), "g").FetchAsync(CancellationToken.None);
        Assert.False(result.Ok);
        Assert.Contains("timed out", result.Error);
        var broken = dir.Write("broken.lua", "return nil + 1");
        var error = await new LuaUserSource(new LuaUserSourceConfig(broken, TimeSpan.FromSeconds(5), null, TimeSpan.FromSeconds(1)), "g").FetchAsync(CancellationToken.None);
        Assert.Contains("failed to run lua script", error.Error);
    }

    [Fact]
    public async Task Python_FetchUsers_WithFile_AndReportHooks()
    {
        using var dir = new TempConfigDir();
        var report = Path.Combine(dir.Root, "report.txt");
        var script = dir.Write("users.py", $$"""
            import json, os

            def fetch_users():
                return json.dumps([{"name": "py-user", "token": None}, {"name": os.path.basename(__file__)}])

            def report_ok():
                open({{System.Text.Json.JsonSerializer.Serialize(report)}}, "w").write("ok")

            def report_err(msg):
                open({{System.Text.Json.JsonSerializer.Serialize(report)}}, "w").write("err: " + msg)
            """);
        var source = new PythonUserSource(new PythonUserSourceConfig(script, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), "g");
        var result = await source.FetchAsync(CancellationToken.None);
        Assert.True(result.Ok, result.Error);
        Assert.Equal(["py-user", "users.py"], result.Users.Select(u => u.Name));
        Assert.Equal("ok", await File.ReadAllTextAsync(report));
    }

    [Fact]
    public async Task Python_Errors_And_Timeouts_AreValues()
    {
        using var dir = new TempConfigDir();
        var noFn = dir.Write("nofn.py", "x = 1\n");
        var r1 = await new PythonUserSource(new PythonUserSourceConfig(noFn, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), "g").FetchAsync(CancellationToken.None);
        Assert.Contains("no fetch_users function", r1.Error);
        var slow = dir.Write("slow.py", "import time\ndef fetch_users():\n    time.sleep(30)\n    return '[]'\n");
        var started = DateTime.UtcNow;
        var r2 = await new PythonUserSource(new PythonUserSourceConfig(slow, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5)), "g").FetchAsync(CancellationToken.None);
        Assert.Contains("timed out", r2.Error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        var notJson = dir.Write("bad.py", "def fetch_users():\n    return '[{'\n");
        var r3 = await new PythonUserSource(new PythonUserSourceConfig(notJson, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), "g").FetchAsync(CancellationToken.None);
        Assert.Contains("invalid users document", r3.Error);
    }
}
