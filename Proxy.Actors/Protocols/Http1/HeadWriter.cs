using System.Buffers;
using System.Globalization;
using System.Text;

namespace Proxy.Actors.Protocols.Http1;

/// <summary>Builds an HTTP head into one pooled buffer so it leaves in one write.</summary>
public sealed class HeadWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public HeadWriter(int initial = 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initial);

    public int Length => _length;
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public HeadWriter Append(string s)
    {
        Ensure(s.Length);
        _length += Encoding.Latin1.GetBytes(s, _buffer.AsSpan(_length));
        return this;
    }

    public HeadWriter Append(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
        return this;
    }

    public HeadWriter Append(int n) => Append(n.ToString(CultureInfo.InvariantCulture));

    public HeadWriter Field(string name, string value) => Append(name).Append(": "u8).Append(value).Append("\r\n"u8);

    public HeadWriter Fields(HttpHeaders headers)
    {
        foreach (var f in headers.Fields) Field(f.Key, f.Value);
        return this;
    }

    public HeadWriter End() => Append("\r\n"u8);

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
