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
/// Thread-safe: a slot is written whole before it is published.
/// </summary>
internal sealed class VerifiedPassword
{
    /// <summary>Longer passwords are verified every time; one cache line for the slot and one for the pad.</summary>
    private const int MaxBytes = 63;
    private const int SlotSize = MaxBytes + 1;

    private readonly byte[] _pad = RandomNumberGenerator.GetBytes(SlotSize);
    private volatile byte[]? _slot;

    public bool Matches(string password)
    {
        if (_slot is not { } slot) return false;
        Span<byte> probe = stackalloc byte[SlotSize];
        return Fill(password, probe) && CryptographicOperations.FixedTimeEquals(probe, slot);
    }

    public void Remember(string password)
    {
        var slot = new byte[SlotSize];
        if (Fill(password, slot)) _slot = slot;
    }

    /// <summary>Length byte, then the UTF-8 bytes, zero-padded, all XORed with the pad; false when it does not fit.</summary>
    private bool Fill(string password, Span<byte> slot)
    {
        slot.Clear();
        if (!Encoding.UTF8.TryGetBytes(password, slot[1..], out var n)) return false;
        slot[0] = (byte)n;
        for (var i = 0; i < SlotSize; i += Vector<byte>.Count)
            (new Vector<byte>(slot[i..]) ^ new Vector<byte>(_pad, i)).CopyTo(slot[i..]);
        return true;
    }
}
