using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Actors.Users.Tokens;

/// <summary>
/// The password a user's token last accepted, so a busy user's requests (Basic on every request, as g3
/// checks it) do not each pay a salted hash or a crypt: one entry per <see cref="User"/> object, which a
/// user-group reload or a republished user replaces, so a changed token is never answered from here.
/// A token accepts one password in practice, so one entry is enough and a wrong password never evicts it.
/// Kept as the UTF-8 bytes XORed with a random pad in a fixed-size slot (not as plain text at rest) and
/// compared in constant time over the whole slot, so the time taken tells nothing about the length.
/// A struct held in its user, with slot and pad in one array: with many users taking turns, every object
/// a request reaches is a likely cache miss. Thread-safe: a new array is written whole before it is published.
/// </summary>
internal struct VerifiedPassword
{
    /// <summary>Longer passwords are verified every time; one cache line for the slot and one for the pad.</summary>
    private const int MaxBytes = 63;
    private const int SlotSize = MaxBytes + 1;

    // [0, SlotSize): length byte and bytes, masked; [SlotSize, 2 * SlotSize): the mask
    private volatile byte[]? _state;
    // made with the user (so it sits next to it) and taken by the first Remember; later ones make their own
    private byte[]? _reserved;

    /// <summary>An empty entry whose first slot is made now, next to the object that holds it.</summary>
    public static VerifiedPassword Reserve() => new() { _reserved = new byte[2 * SlotSize] };

    public readonly bool Matches(string password)
    {
        Span<byte> utf8 = stackalloc byte[MaxBytes];
        return Encoding.UTF8.TryGetBytes(password, utf8, out var n) && Matches(utf8[..n]);
    }

    /// <param name="utf8">The password's UTF-8 bytes (a match means they were valid: they equal bytes a token accepted).</param>
    public readonly bool Matches(ReadOnlySpan<byte> utf8)
    {
        if (_state is not { } state) return false;
        Span<byte> probe = stackalloc byte[SlotSize];
        return Fill(utf8, state.AsSpan(SlotSize), probe) && CryptographicOperations.FixedTimeEquals(probe, state.AsSpan(0, SlotSize));
    }

    public void Remember(string password)
    {
        var state = Interlocked.Exchange(ref _reserved, null) ?? new byte[2 * SlotSize];
        RandomNumberGenerator.Fill(state.AsSpan(SlotSize));
        Span<byte> utf8 = stackalloc byte[MaxBytes];
        if (Encoding.UTF8.TryGetBytes(password, utf8, out var n) && Fill(utf8[..n], state.AsSpan(SlotSize), state.AsSpan(0, SlotSize))) _state = state;
        utf8.Clear();
    }

    /// <summary>Length byte, then the bytes, zero-padded, all XORed with the pad; false when they do not fit.</summary>
    private static bool Fill(ReadOnlySpan<byte> utf8, ReadOnlySpan<byte> pad, Span<byte> slot)
    {
        if (utf8.Length > MaxBytes) return false;
        slot.Clear();
        slot[0] = (byte)utf8.Length;
        utf8.CopyTo(slot[1..]);
        for (var i = 0; i < SlotSize; i += Vector<byte>.Count)
            (new Vector<byte>(slot[i..]) ^ new Vector<byte>(pad[i..])).CopyTo(slot[i..]);
        return true;
    }
}
