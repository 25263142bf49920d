import JSON
import Testing

/// The string paths test 8 bytes at a time; put every interesting character at every position
/// around those blocks and compare with a plain one-character-at-a-time reference.
@Suite struct BlockScanTests {
  static let specials: [Unicode.Scalar] = [
    "\"", "\\", "<", ">", "&", "\n", "\u{0}", "\u{1F}", "\u{7F}", "é", "€", "\u{2028}",
    "\u{2029}", "\u{2027}", "\u{202F}", "😀", "\u{E2}",
  ]

  /// Go's escaping, one scalar at a time.
  func reference(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
      switch c {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case "<": out += "\\u003c"
      case ">": out += "\\u003e"
      case "&": out += "\\u0026"
      case "\u{2028}": out += "\\u2028"
      case "\u{2029}": out += "\\u2029"
      default:
        if c.value < 0x20 {
          let hex = String(c.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(c)
        }
      }
    }
    return out + "\""
  }

  @Test func everySpecialAtEveryPosition() throws {
    for length in [1, 7, 8, 9, 15, 16, 17, 24] {
      for position in 0..<length {
        for special in Self.specials {
          var scalars = String.UnicodeScalarView(repeatElement("a", count: length))
          scalars.replaceSubrange(
            scalars.index(
              scalars.startIndex, offsetBy: position)...scalars.index(
                scalars.startIndex, offsetBy: position), with: [special])
          let s = String(scalars)
          let written = JSONValue.string(s).jsonString
          #expect(written == reference(s), "\(length) \(position) \(special.value)")
          #expect(try JSONParser.parse(written) == .string(s))
        }
      }
    }
  }

  @Test func invalidBytesAtEveryPositionOfALongString() throws {
    for position in 0..<20 {
      var bytes = Array(repeating: UInt8(ascii: "b"), count: 20)
      bytes[position] = 0xFF
      let parsed = try JSONParser.parse([UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")])
      var expected = String(repeating: "b", count: 20)
      let index = expected.index(expected.startIndex, offsetBy: position)
      expected.replaceSubrange(index...index, with: "\u{FFFD}")
      #expect(parsed == .string(expected), "\(position)")
    }
  }

  @Test func controlByteAtEveryPositionIsRejected() {
    for position in 0..<20 {
      var bytes = Array(repeating: UInt8(ascii: "c"), count: 20)
      bytes[position] = 0x0A
      #expect(
        parseResult([UInt8(ascii: "\"")] + bytes + [UInt8(ascii: "\"")])
          == .failure(
            JSONError(message: "invalid character '\\n' in string literal", offset: position + 1)))
    }
  }
}
