namespace Proxy.Actors.Logging;

/// <summary>
/// The extra task records of g3's flush_task_log_on_created, flush_task_log_on_connected and
/// task_log_flush_interval for one task, driven by the stages its handler sets on
/// <see cref="TaskNotes.Stage"/>, so every server type gets them. Made only for a task of a server
/// that sets one of the keys. The Periodic timer starts when the task starts relaying and stops at
/// <see cref="Finish"/>; a tick never writes after it, so the final record is always the last.
/// </summary>
internal sealed class TaskLogFlush
{
    private readonly TaskNotes _notes;
    private readonly TaskLogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _onCreated;
    private readonly bool _onConnected;
    private readonly TimeSpan? _interval;
    private readonly CancellationToken _lifetime;
    // Taken by a tick while it writes and by Finish: a record in flight completes before the final one.
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private bool _created;
    private bool _connected;
    private bool _finished;

    public TaskLogFlush(TaskNotes notes, TaskLogger logger, TimeProvider time, bool onCreated, bool onConnected, TimeSpan? interval,
        CancellationToken lifetime)
    {
        _notes = notes;
        _logger = logger;
        _time = time;
        _onCreated = onCreated;
        _onConnected = onConnected;
        _interval = interval;
        _lifetime = lifetime;
    }

    /// <summary>
    /// Called on the task's own path at each stage change. g3 logs Created once the task knows its
    /// target (here: its first Connecting) and Connected once the upstream is reached (the first
    /// stage past Connecting: some handlers go straight to Replying or Relaying).
    /// </summary>
    public void OnStage(string stage)
    {
        if (!_created)
        {
            if (stage != "Connecting") return;
            _created = true;
            if (_onCreated) Write("Created", "Created");
            return;
        }
        if (!_connected && stage is "Connected" or "Replying" or "LoggedIn" or "Relaying")
        {
            _connected = true;
            if (_onConnected) Write("Connected", "Connected");
        }
        if (stage == "Relaying" && _interval is { } every && !_notes.Intercepted)
        {
            lock (_gate)
                if (!_finished && _timer is null)
                    _timer = _time.CreateTimer(static s => ((TaskLogFlush)s!).Tick(), this, every, every);
        }
    }

    /// <summary>The task's final record is next: no record of this task may follow it.</summary>
    public void Finish()
    {
        ITimer? timer;
        lock (_gate)
        {
            _finished = true;
            timer = _timer;
            _timer = null;
        }
        timer?.Dispose();
    }

    private void Tick()
    {
        // g3 writes no periodic record for an inspected task: its intercept records stand in.
        if (_lifetime.IsCancellationRequested || _notes.Intercepted)
        {
            Finish();
            return;
        }
        lock (_gate)
        {
            if (_finished) return;
            Write("Periodic", _notes.Stage);
        }
    }

    private void Write(string taskEvent, string stage)
    {
        if (_notes.UserCounts?.SkipLog() == true) return;
        _logger.LogEvent(_notes, taskEvent, stage, _time.GetElapsedTime(_notes.CreatedTimestamp));
    }
}
