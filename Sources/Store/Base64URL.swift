/// Unpadded URL-safe base64 (Go's `base64.RawURLEncoding`), the encoding of continue tokens.
enum Base64URL {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count * 4 + 2) / 3)
    var i = 0
    while i + 3 <= bytes.count {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
      i += 3
    }
    let rest = bytes.count - i
    if rest == 1 {
      let n = UInt32(bytes[i]) << 16
      out.append(alphabet[Int((n >> 18) & 63)])
      out.append(alphabet[Int((n >> 12) & 63)])
    } else if rest == 2 {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
      out.append(alphabet[Int((n >> 18) & 63)])
      out.append(alphabet[Int((n >> 12) & 63)])
      out.append(alphabet[Int((n >> 6) & 63)])
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes; nil on a character outside the alphabet, padding (`=`), or an impossible length.
  static func decode(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    var acc: UInt32 = 0
    var bits = 0
    for c in text.utf8 {
      let v: UInt32
      switch c {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
      case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a")) + 26
      case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0")) + 52
      case UInt8(ascii: "-"): v = 62
      case UInt8(ascii: "_"): v = 63
      default: return nil
      }
      acc = acc << 6 | v
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
        acc &= (1 << UInt32(bits)) - 1
      }
    }
    // 6 leftover bits cannot come from whole bytes (a length of 4n+1). Non-zero padding bits
    // are accepted, as Go's non-strict decoder does.
    if bits >= 6 { return nil }
    return out
  }
}
