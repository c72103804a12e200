namespace Proxy.Tests.Resolvers;

/// <summary>Waits for a condition with a deadline instead of sleeping a guessed amount.</summary>
internal static class Eventually
{
    public static Task<bool> True(Func<bool> condition, TimeSpan? within = null) =>
        True(() => Task.FromResult(condition()), within);

    public static async Task<bool> True(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(5);
        }
        return true;
    }
}
