using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace Proxy.Actors.Servers;

/// <summary>
/// The mailbox of a connection actor. It receives one user message in its life (its task's
/// end), yet the default mailbox's ConcurrentQueue starts with a 32-slot segment — about 1 KiB
/// per connection, a tenth of an idle tunnel's cost. A locked Queue that allocates on first use
/// costs a few dozen bytes.
/// </summary>
public sealed class ConnectionMailbox : MailboxType, IProducesMessageQueue<ConnectionMailbox.SmallQueue>
{
    public const string Id = "g3actors.connection-mailbox";

    private static readonly Akka.Configuration.Config Definition = ConfigurationFactory.ParseString(
        $"{Id} {{ mailbox-type = \"{typeof(ConnectionMailbox).AssemblyQualifiedName}\" }}");

    public ConnectionMailbox(Settings settings, Akka.Configuration.Config config) : base(settings, config) { }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new SmallQueue();

    /// <summary>Makes <see cref="Id"/> known to the system unless its config already names it.</summary>
    public static void Register(ActorSystem system)
    {
        if (!system.Settings.Config.HasPath(Id)) system.Settings.InjectTopLevelFallback(Definition);
    }

    public sealed class SmallQueue : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        private Queue<Envelope>? _queue;

        public bool HasMessages
        {
            get { lock (this) return _queue is { Count: > 0 }; }
        }

        public int Count
        {
            get { lock (this) return _queue?.Count ?? 0; }
        }

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            lock (this) (_queue ??= new Queue<Envelope>(2)).Enqueue(envelope);
        }

        public bool TryDequeue(out Envelope envelope)
        {
            lock (this)
            {
                if (_queue is { Count: > 0 })
                {
                    envelope = _queue.Dequeue();
                    return true;
                }
            }
            envelope = default;
            return false;
        }

        public void CleanUp(IActorRef owner, IMessageQueue deadletters)
        {
            while (TryDequeue(out var e)) deadletters.Enqueue(owner, e);
        }
    }
}
