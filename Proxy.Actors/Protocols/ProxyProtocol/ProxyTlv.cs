namespace Proxy.Actors.Protocols.ProxyProtocol;

/// <summary>One PROXY v2 type-length-value entry, kept raw (sub-TLVs of PP2_TYPE_SSL are not unpacked).</summary>
internal sealed record ProxyTlv(byte Type, byte[] Value);
