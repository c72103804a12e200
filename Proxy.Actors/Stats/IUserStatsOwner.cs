namespace Proxy.Actors.Stats;

/// <summary>
/// Who made a user's counter objects (the user's stats holder), asked by the emitter whether they
/// may go: g3 drops a user's stats once the user left its group and nothing of it runs any more,
/// after one last emit.
/// </summary>
internal interface IUserStatsOwner
{
    /// <summary>The user left its group and none of its requests or client connections is alive.</summary>
    bool Droppable { get; }

    /// <summary>The emitter sent this object's last values: forget it (a later task would get a new one).</summary>
    void Forget(UserServerStats stats);

    void Forget(UserEscaperStats stats);
}
