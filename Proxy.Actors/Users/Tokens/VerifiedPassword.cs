using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Proxy.Actors.Users.Tokens;

/// <summary>
/// The password a user's token accepted, so a busy user's requests (Basic on every request, as g3
/// checks it) do not each pay a salted hash or a crypt: one entry per <see cref="User"/> object, which a
/// user-group reload or a republished user replaces, so a changed token is never answered from here.
/// A token accepts one password, so the entry is written once, by the first password the token accepts,
/// and a wrong password never touches it. Kept as the UTF-8 bytes XORed with a random pad in a fixed-size
/// slot (not as plain text at rest) and compared in constant time over the whole slot, so the time taken
/// tells nothing about the length.
/// Inline in its user (slot and pad are the struct's own bytes, not an array beside it): with many users
/// taking turns, every object a request reaches is a likely cache miss, and the slot's address then needs
/// no load first. Thread-safe: the one writer publishes the bytes with <see cref="_state"/> after writing them.
/// </summary>
internal struct VerifiedPassword
{
    /// <summary>Longer passwords are verified every time.</summary>
    private const int MaxBytes = 63;
    private const int SlotSize = MaxBytes + 1;
    private const int Empty = 0, Writing = 1, Ready = 2;

    // [0, SlotSize): length byte and bytes, masked; [SlotSize, 2 * SlotSize): the mask
    private SlotAndPad _bytes;
    private int _state;

    public bool Matches(string password)
    {
        Span<byte> utf8 = stackalloc byte[MaxBytes];
        return Encoding.UTF8.TryGetBytes(password, utf8, out var n) && Matches(utf8[..n]);
    }

    /// <param name="utf8">The password's UTF-8 bytes (a match means they were valid: they equal bytes a token accepted).</param>
    public bool Matches(ReadOnlySpan<byte> utf8)
    {
        if (Volatile.Read(ref _state) != Ready) return false;
        ReadOnlySpan<byte> bytes = _bytes;
        Span<byte> probe = stackalloc byte[SlotSize];
        return Fill(utf8, bytes[SlotSize..], probe) && SameBytes(probe, bytes[..SlotSize]);
    }

    /// <summary>
    /// The two slots are equal, compared in constant time: every vector of both is read and the differences
    /// are ORed together, with no exit before the end. (CryptographicOperations.FixedTimeEquals does the same a
    /// byte at a time in unoptimized code, which cost a quarter of a microsecond per request here.)
    /// </summary>
    private static bool SameBytes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var diff = Vector<byte>.Zero;
        for (var i = 0; i < SlotSize; i += Vector<byte>.Count)
            diff |= new Vector<byte>(a[i..]) ^ new Vector<byte>(b[i..]);
        return diff == Vector<byte>.Zero;
    }

    /// <summary>Keeps <paramref name="password"/>, which the token just accepted, unless the entry holds one already.</summary>
    public void Remember(string password)
    {
        // one writer; a password too long for the slot leaves the entry Writing, so it is never tried again
        if (Interlocked.CompareExchange(ref _state, Writing, Empty) != Empty) return;
        Span<byte> bytes = _bytes;
        RandomNumberGenerator.Fill(bytes[SlotSize..]);
        Span<byte> utf8 = stackalloc byte[MaxBytes];
        if (Encoding.UTF8.TryGetBytes(password, utf8, out var n) && Fill(utf8[..n], bytes[SlotSize..], bytes[..SlotSize])) Volatile.Write(ref _state, Ready);
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

    [InlineArray(2 * SlotSize)]
    private struct SlotAndPad
    {
        private byte _first;
    }
}
