namespace Proxy.Tests.Logging;

public sealed class SharedLogTests
{
    [Fact]
    public async Task ALineStillBeingWritten_IsNotGiven_UntilItsEnd()
    {
        var log = new SharedLog();
        log.WriteLine("task_type=HttpForward rsp_status=521 reason=UpstreamNotConnected");
        log.Write("task_type=HttpForward rsp_status=200");
        var partial = await log.WaitForLinesAsync(l => l.Contains("task_type=HttpForward"), count: 2, timeoutMs: 50);
        Assert.Equal(["task_type=HttpForward rsp_status=521 reason=UpstreamNotConnected"], partial);
        log.WriteLine(" reason=Finished");
        var whole = await log.WaitForLinesAsync(l => l.Contains("task_type=HttpForward"), count: 2);
        Assert.Equal("task_type=HttpForward rsp_status=200 reason=Finished", whole[1]);
    }

    [Fact]
    public async Task ReadWhileAnotherThreadWrites_GivesWholeLinesOnly()
    {
        var log = new SharedLog();
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                log.Write("line=");
                log.Write(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                log.WriteLine(" end");
            }
        });
        while (!writer.IsCompleted)
        {
            var lines = await log.WaitForLinesAsync(_ => true, count: 0);
            Assert.All(lines, l => Assert.EndsWith(" end", l));
        }
        await writer;
        Assert.Equal(20_000, (await log.WaitForLinesAsync(_ => true, count: 20_000)).Length);
    }
}
