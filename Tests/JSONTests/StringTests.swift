import JSON
import Testing

@Suite struct StringTests {
  @Test(arguments: [
    (#""plain""#, "plain"),
    (#""""#, ""),
    (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
    (#""\u0041\u00e9\u20AC""#, "Aé€"),
    (#""\ud83d\ude00""#, "😀"),
    (#""\uD83D\uDE00x""#, "😀x"),
    (#""a\u0000b""#, "a\u{0}b"),
    (#""\ud800""#, "\u{FFFD}"),
    (#""\udc00""#, "\u{FFFD}"),
    (#""\ud800x""#, "\u{FFFD}x"),
    (#""\ud800\u0041""#, "\u{FFFD}A"),
    (#""\ud800\ud800""#, "\u{FFFD}\u{FFFD}"),
    (#""\ude00\ud83d""#, "\u{FFFD}\u{FFFD}"),
    (#""\ud83d\ude00\ud83d""#, "😀\u{FFFD}"),
    (#""héllo wörld 日本 😀""#, "héllo wörld 日本 😀"),
    ("\"\u{7F}\"", "\u{7F}"),
    ("\"\u{2028}\"", "\u{2028}"),
  ])
  func decodesStrings(input: String, expected: String) throws {
    #expect(try parse(input) == .string(expected))
  }

  /// Go replaces every byte of an ill-formed sequence by U+FFFD (utf8.DecodeRune returns size 1).
  @Test(
    arguments: [
      ([0xFF], "\u{FFFD}"),
      ([0x80], "\u{FFFD}"),
      ([0x61, 0xC3], "a\u{FFFD}"),  // truncated 2-byte sequence
      ([0xC3, 0x28], "\u{FFFD}("),
      ([0xC0, 0x80], "\u{FFFD}\u{FFFD}"),  // overlong NUL
      ([0xC1, 0xBF], "\u{FFFD}\u{FFFD}"),  // overlong
      ([0xE0, 0x80, 0xAF], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // overlong '/'
      ([0xF0, 0x80, 0x80, 0xAF], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // overlong '/'
      ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // UTF-8 encoded surrogate D800
      ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // > U+10FFFF
      ([0xF5, 0x80], "\u{FFFD}\u{FFFD}"),
      ([0xE2, 0x82], "\u{FFFD}\u{FFFD}"),  // truncated euro sign
      ([0xE2, 0x82, 0xAC, 0xFF, 0x41], "€\u{FFFD}A"),
      ([0xF0, 0x9F, 0x98, 0x80], "😀"),
      ([0xEF, 0xBF, 0xBF], "\u{FFFF}"),
      ([0xF4, 0x8F, 0xBF, 0xBF], "\u{10FFFF}"),
    ] as [([UInt8], String)])
  func replacesEachInvalidUTF8Byte(content: [UInt8], expected: String) throws {
    let bytes = [UInt8(ascii: "\"")] + content + [UInt8(ascii: "\"")]
    #expect(try JSONParser.parse(bytes) == .string(expected))
    // Also after an escape, which takes the slow path from the start.
    let escaped = Array(#""\n"#.utf8) + content + [UInt8(ascii: "\"")]
    #expect(try JSONParser.parse(escaped) == .string("\n" + expected))
  }

  @Test func invalidUTF8OutsideStringsIsASyntaxError() {
    #expect(
      parseResult([0xFF])
        == .failure(
          JSONError(message: "invalid character 'ÿ' looking for beginning of value", offset: 0)))
    #expect(
      parseResult([0x5B, 0xC3, 0xA9, 0x5D])
        == .failure(
          JSONError(message: "invalid character 'Ã' looking for beginning of value", offset: 1)))
  }

  @Test func keysAreDecodedLikeValues() throws {
    let v = try parse(#"{"a\u0062":1,"\ud83d\ude00":2}"#)
    #expect(v.objectValue?.keys == ["ab", "😀"])
  }

  @Test func longStringsWithEscapesLateDecodeFully() throws {
    let prefix = String(repeating: "x", count: 1000)
    let v = try parse("\"" + prefix + "\\n" + prefix + "\"")
    #expect(v == .string(prefix + "\n" + prefix))
  }
}

@Suite struct KeyTests {
  /// Common Kubernetes keys take a shortcut in the parser; they and their near misses must come
  /// out exactly as written.
  @Test func commonKeysAndNearMissesParseExactly() throws {
    let keys = [
      "apiVersion", "kind", "metadata", "name", "namespace", "uid", "resourceVersion",
      "creationTimestamp", "deletionTimestamp", "labels", "annotations", "ownerReferences",
      "managedFields", "f:metadata", "time", "type", ".", "observedGeneration",
      "lastTransitionTime", "blockOwnerDeletion",
    ]
    for key in keys {
      let variants = [
        key, key + "x", String(key.dropLast()) + "#", "#" + key.dropFirst(), key.uppercased(),
      ]
      for variant in variants {
        let quoted = JSONValue.string(variant).jsonString
        let v = try JSONParser.parse("{" + quoted + ":1}")
        #expect(v.objectValue?.keys == [variant])
      }
    }
  }
}
