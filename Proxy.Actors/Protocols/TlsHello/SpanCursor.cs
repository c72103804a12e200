using System.Buffers.Binary;

namespace Proxy.Actors.Protocols.TlsHello;

/// <summary>Reads TLS presentation-language fields (u8, u16, length-prefixed vectors) off a span; false when short.</summary>
internal ref struct SpanCursor(ReadOnlySpan<byte> data)
{
    private ReadOnlySpan<byte> _rest = data;

    public readonly int Remaining => _rest.Length;

    public bool U8(out byte value)
    {
        value = 0;
        if (_rest.IsEmpty) return false;
        value = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    public bool U16(out ushort value)
    {
        value = 0;
        if (_rest.Length < 2) return false;
        value = BinaryPrimitives.ReadUInt16BigEndian(_rest);
        _rest = _rest[2..];
        return true;
    }

    public bool Skip(int count)
    {
        if (_rest.Length < count) return false;
        _rest = _rest[count..];
        return true;
    }

    public bool Vector8(out ReadOnlySpan<byte> value)
    {
        value = default;
        return U8(out var length) && Take(length, out value);
    }

    public bool Vector16(out ReadOnlySpan<byte> value)
    {
        value = default;
        return U16(out var length) && Take(length, out value);
    }

    private bool Take(int length, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_rest.Length < length) return false;
        value = _rest[..length];
        _rest = _rest[length..];
        return true;
    }
}
