namespace Proxy.Actors.Protocols;

/// <summary>What a codec made of the bytes it has so far.</summary>
internal enum ParseStatus
{
    /// <summary>Not enough bytes yet; call again with more (the caller's timeout bounds the wait).</summary>
    NeedMore,

    /// <summary>A whole message was read; <see cref="ParseResult{T}.Consumed"/> says how many bytes it took.</summary>
    Done,

    /// <summary>The bytes can never become a valid message; <see cref="ParseResult{T}.Reason"/> says why.</summary>
    Invalid,

    /// <summary>The message is (or would be) larger than the caller's bound.</summary>
    TooLarge,
}
