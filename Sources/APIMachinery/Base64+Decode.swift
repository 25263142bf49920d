/// Standard base64 decoding as Go's `encoding/json` does it for `[]byte` fields
/// (`base64.StdEncoding`): padding required, `\r` and `\n` skipped, anything else outside the
/// alphabet is an error naming the offending input offset.
extension Base64 {
  /// A decoding failure: Go's `base64.CorruptInputError` text.
  struct CorruptInput: Error, Equatable, CustomStringConvertible {
    var offset: Int
    var description: String { "illegal base64 data at input byte \(offset)" }
  }

  private static let values: [UInt8] = {
    var table = [UInt8](repeating: 0xFF, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
      .enumerated()
    {
      table[Int(c)] = UInt8(i)
    }
    return table
  }()

  static func decodeStrict(_ text: String) throws(CorruptInput) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count / 4 * 3)
    var quad: [UInt8] = []
    var quadStart = 0
    var padding = 0
    var offset = 0
    for c in text.utf8 {
      defer { offset += 1 }
      if c == 13 || c == 10 { continue }
      if quad.isEmpty && padding == 0 { quadStart = offset }
      if padding > 0 {
        // Only more '=' may follow the first '=' of the final quantum.
        guard c == UInt8(ascii: "="), quad.count + padding < 4 else {
          throw CorruptInput(offset: offset)
        }
        padding += 1
        continue
      }
      if c == UInt8(ascii: "=") {
        guard quad.count >= 2 else { throw CorruptInput(offset: offset) }
        padding = 1
        continue
      }
      let v = values[Int(c)]
      guard v != 0xFF else { throw CorruptInput(offset: offset) }
      quad.append(v)
      if quad.count == 4 {
        out.append(quad[0] << 2 | quad[1] >> 4)
        out.append(quad[1] << 4 | quad[2] >> 2)
        out.append(quad[2] << 6 | quad[3])
        quad.removeAll(keepingCapacity: true)
      }
    }
    if padding > 0 {
      guard quad.count + padding == 4 else { throw CorruptInput(offset: offset) }
    } else if !quad.isEmpty {
      throw CorruptInput(offset: quadStart + quad.count)
    }
    if quad.count >= 2 { out.append(quad[0] << 2 | quad[1] >> 4) }
    if quad.count == 3 { out.append(quad[1] << 4 | quad[2] >> 2) }
    return out
  }
}

/// Standard base64 for the `[]byte` fields of API objects (CSR `spec.request` and
/// `status.certificate`, Secret `data`), for code outside this module.
public enum Base64Text {
  public static func encode(_ bytes: [UInt8]) -> String { Base64.encode(bytes) }

  /// The bytes, or nil when `text` is not padded standard base64.
  public static func decode(_ text: String) -> [UInt8]? { try? Base64.decodeStrict(text) }
}
