namespace Proxy.Actors.Protocols;

/// <summary>The outcome of one parse attempt over a buffer: need more, a value, or a refusal as a value.</summary>
/// <remarks>
/// <see cref="Code"/> carries the protocol's own refusal code where it has one (a SOCKS5 reply code,
/// a SOCKS4 reply), so the caller can answer the client without re-deriving it from the reason text.
/// </remarks>
internal readonly record struct ParseResult<T>(ParseStatus Status, T? Value, long Consumed, string? Reason, int Code)
{
    public bool IsDone => Status == ParseStatus.Done;

    public static ParseResult<T> NeedMore => new(ParseStatus.NeedMore, default, 0, null, 0);

    public static ParseResult<T> Done(T value, long consumed) => new(ParseStatus.Done, value, consumed, null, 0);

    public static ParseResult<T> Invalid(string reason, int code = 0) => new(ParseStatus.Invalid, default, 0, reason, code);

    public static ParseResult<T> TooLarge(string reason) => new(ParseStatus.TooLarge, default, 0, reason, 0);

    /// <summary>The same refusal (or need-more) re-typed, for a parser that wraps another.</summary>
    public ParseResult<TOther> Cast<TOther>() =>
        Status == ParseStatus.Done
            ? throw new InvalidOperationException("a Done result carries a value; map it instead")
            : new(Status, default, 0, Reason, Code);
}
