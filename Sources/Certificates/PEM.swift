/// PEM (RFC 7468) text: `-----BEGIN TYPE-----`, base64 lines, `-----END TYPE-----`.
/// Pure Swift, so it is exact about what it accepts: a block whose END label differs from its
/// BEGIN label, or whose body is not base64, is an error; text between blocks is ignored.
public enum PEM {
  /// One decoded block.
  public struct Block: Equatable, Sendable {
    /// The label, e.g. `CERTIFICATE`, `CERTIFICATE REQUEST`, `PRIVATE KEY`.
    public var type: String
    /// The DER bytes.
    public var der: [UInt8]

    public init(type: String, der: [UInt8]) {
      self.type = type
      self.der = der
    }
  }

  /// Every block in `text`, in order. Throws on a malformed block.
  public static func decode(_ text: String) throws(CertificateError) -> [Block] {
    var blocks: [Block] = []
    var current: (type: String, body: String)?
    for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
      let line = rawLine.trimmingASCIIWhitespace()
      if let type = label(line, prefix: "-----BEGIN ") {
        if current != nil { throw CertificateError("PEM block \(type) starts inside another") }
        current = (type, "")
      } else if let type = label(line, prefix: "-----END ") {
        guard let open = current, open.type == type else {
          throw CertificateError("PEM END \(type) without a matching BEGIN")
        }
        guard let der = Base64.decode(open.body) else {
          throw CertificateError("PEM block \(type) is not valid base64")
        }
        blocks.append(Block(type: type, der: der))
        current = nil
      } else if current != nil {
        if line.contains(":") { continue }  // RFC 1421 headers (Proc-Type, DEK-Info)
        current!.body += line
      }
    }
    if let open = current { throw CertificateError("PEM block \(open.type) has no END line") }
    return blocks
  }

  /// The blocks of one type (e.g. every `CERTIFICATE` of a bundle).
  public static func decode(_ text: String, type: String) throws(CertificateError) -> [[UInt8]] {
    try decode(text).filter { $0.type == type }.map(\.der)
  }

  /// One block as PEM text with 64-column lines and a final newline.
  public static func encode(type: String, der: [UInt8]) -> String {
    let body = Base64.encode(der)
    var out = "-----BEGIN \(type)-----\n"
    var index = body.startIndex
    while index < body.endIndex {
      let end = body.index(index, offsetBy: 64, limitedBy: body.endIndex) ?? body.endIndex
      out += body[index..<end]
      out += "\n"
      index = end
    }
    out += "-----END \(type)-----\n"
    return out
  }

  private static func label(_ line: String, prefix: String) -> String? {
    guard line.hasPrefix(prefix), line.hasSuffix("-----"), line.count > prefix.count + 5 else {
      return nil
    }
    return String(line.dropFirst(prefix.count).dropLast(5))
  }
}

/// Standard base64 (RFC 4648 §4) with padding.
enum Base64 {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i + 3 <= bytes.count {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      for shift in [18, 12, 6, 0] { out.append(alphabet[Int(n >> UInt32(shift) & 63)]) }
      i += 3
    }
    let rest = bytes.count - i
    if rest > 0 {
      var n = UInt32(bytes[i]) << 16
      if rest == 2 { n |= UInt32(bytes[i + 1]) << 8 }
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(rest == 2 ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
      out.append(UInt8(ascii: "="))
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Decodes base64, ignoring whitespace; nil on any other non-alphabet byte or bad padding.
  static func decode(_ text: String) -> [UInt8]? {
    var out: [UInt8] = []
    var accumulator: UInt32 = 0
    var bits = 0
    var padding = 0
    var symbols = 0
    for byte in text.utf8 {
      let value: UInt32
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
      case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a") + 26)
      case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0") + 52)
      case UInt8(ascii: "+"): value = 62
      case UInt8(ascii: "/"): value = 63
      case UInt8(ascii: "="):
        padding += 1
        symbols += 1
        continue
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
        continue
      default:
        return nil
      }
      if padding > 0 { return nil }  // data after padding
      symbols += 1
      accumulator = accumulator << 6 | value
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
      }
    }
    guard symbols % 4 == 0, padding <= 2 else { return nil }
    return out
  }
}

extension StringProtocol {
  func trimmingASCIIWhitespace() -> String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
    guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
    let last = lastIndex(where: { !isSpace($0) })!
    return String(self[first...last])
  }
}
