import JSON
import Testing

/// The writer's 8-bytes-at-a-time string scan and its overlapping last word against
/// BlockScanTests' one-character-at-a-time reference of Go's escaping: each special character at
/// every position of strings of every length from 0 to 40, pairs, random strings, keys.
@Suite struct WriterEscapeTests {
  static func reference(_ s: String) -> String { BlockScanTests().reference(s) }

  /// BlockScanTests' characters plus the neighbours of the escaped bytes (near misses).
  static let specials: [String] =
    BlockScanTests.specials.map { String($0) }
    + ["!", "#", "%", "'", ";", "=", "?", "[", "]", " ", "\u{1}", "\u{80}", "\u{E000}"]

  @Test(arguments: specials)
  func specialAtEveryPositionOfEveryLength(special: String) {
    for length in 0...40 {
      for position in 0...length {
        let s =
          String(repeating: "a", count: position) + special
          + String(repeating: "b", count: length - position)
        #expect(JSONValue.string(s).jsonString == Self.reference(s), "\(length) \(position)")
        var buffer: [UInt8] = []
        JSONWriter.appendQuoted(s, to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == Self.reference(s))
      }
    }
  }

  @Test func twoSpecialsAtAllPairsOfPositions() {
    for length in 1...24 {
      for i in 0..<length {
        for j in i..<length {
          var chars = Array(repeating: Character("x"), count: length)
          chars[i] = "<"
          chars[j] = i == j ? "\u{1}" : "\""
          let s = String(chars)
          #expect(JSONValue.string(s).jsonString == Self.reference(s))
        }
      }
    }
  }

  @Test func randomStringsMatchTheReference() {
    var state: UInt64 = 0x5EED
    let alphabet: [String] = Self.specials + ["a", "b", "c", "0", "-", ".", " "]
    for _ in 0..<3_000 {
      var s = ""
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let length = Int(state >> 58)
      for _ in 0..<length {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        s += alphabet[Int(state >> 33) % alphabet.count]
      }
      #expect(JSONValue.string(s).jsonString == Self.reference(s))
      // As an object key too (keys take the same path).
      #expect(
        JSONValue.object(JSONObject([(s, .null)])).jsonString == "{" + Self.reference(s) + ":null}")
    }
  }
}
