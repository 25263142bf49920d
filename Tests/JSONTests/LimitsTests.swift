import JSON
import Testing

@Suite struct LimitsTests {
  func nested(_ depth: Int) -> String {
    String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
  }

  @Test func acceptsNestingUpToMaxDepth() throws {
    let v = try parse(nested(512))
    var node = v
    var depth = 0
    while case .array(let elements) = node {
      depth += 1
      node = elements.first ?? .null
    }
    #expect(depth == 512)
  }

  @Test func rejectsNestingBeyondMaxDepth() {
    #expect(parseError(nested(513)) == JSONError(message: "exceeded max depth of 512", offset: 512))
    let objects =
      String(repeating: #"{"a":"#, count: 513) + "1" + String(repeating: "}", count: 513)
    #expect(parseError(objects)?.message == "exceeded max depth of 512")
    #expect(
      parseError(
        String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)) == nil)
  }

  @Test func deepInputFailsWithoutExhaustingTheStack() {
    #expect(
      parseError(String(repeating: "[", count: 100_000))?.message == "exceeded max depth of 512")
  }

  @Test func honoursACustomMaxDepth() {
    let options = JSONParseOptions(maxDepth: 2)
    #expect(parseError("[[1]]", options: options) == nil)
    #expect(parseError("[[[1]]]", options: options)?.offset == 2)
    #expect(parseError("1", options: JSONParseOptions(maxDepth: 0)) == nil)
    #expect(parseError("[]", options: JSONParseOptions(maxDepth: 0)) != nil)
  }

  @Test func rejectsInputLargerThanMaxBytes() {
    let options = JSONParseOptions(maxBytes: 8)
    #expect(parseError("[1,2,3]", options: options) == nil)
    #expect(parseError("[1,2,3] ", options: options) == nil)
    #expect(
      parseError("[1,2,3,4]", options: options)
        == JSONError(message: "JSON input of 9 bytes exceeds the limit of 8 bytes", offset: 8))
  }

  @Test func lastDuplicateKeyWinsAtTheFirstPosition() throws {
    let v = try parse(#"{"a":1,"b":2,"a":3}"#)
    #expect(v.objectValue?.keys == ["a", "b"])
    #expect(v["a"] == 3)
    #expect(v.jsonString == #"{"a":3,"b":2}"#)
  }

  @Test func duplicateKeysInLargeObjectsToo() throws {
    // Past the linear-search limit the parser switches to a hash index.
    let members = (0..<40).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
    let v = try parse("{" + members + #","k3":"x","k39":"y","new":true}"#)
    #expect(v.objectValue?.count == 41)
    #expect(v["k3"] == "x")
    #expect(v["k39"] == "y")
    #expect(v.objectValue?.keys.last == "new")
    #expect(v.objectValue?.keys[3] == "k3")
  }

  @Test func duplicateKeysAreFoundWhateverTheirSpelling() throws {
    // Escaped and raw spellings of one key, short and long (the parser compares fingerprints of
    // raw key bytes first, so both paths matter).
    let v = try parse(#"{"a":1,"\u0061":2,"annotations":3,"annot\u0061tions":4,"\u00e9":5,"é":6}"#)
    #expect(v.objectValue?.keys == ["a", "annotations", "é"])
    #expect(v["a"] == 2)
    #expect(v["annotations"] == 4)
    #expect(v["é"] == 6)
    // Same length, same first and last 8 bytes, different middle: not duplicates.
    let w = try parse(#"{"abcdefgh-1-ijklmnop":1,"abcdefgh-2-ijklmnop":2}"#)
    #expect(w.objectValue?.count == 2)
  }

  @Test func reportsDuplicateKeysWithTheirPaths() throws {
    let text =
      #"{"metadata":{"name":"a","labels":{"x":"1","x":"2"},"name":"b"},"items":[{"k":1,"k":2}]}"#
    let result = try JSONParser.parseDetailed(text)
    #expect(
      result.duplicateKeys == [
        JSONDuplicateKey(pointer: try JSONPointer("/metadata/labels/x"), offset: 42),
        JSONDuplicateKey(pointer: try JSONPointer("/metadata/name"), offset: 51),
        JSONDuplicateKey(pointer: try JSONPointer("/items/0/k"), offset: 79),
      ])
    #expect(result.value["metadata"]?["name"] == "b")
    #expect(try JSONParser.parseDetailed(#"{"a":1}"#).duplicateKeys.isEmpty)
  }

  @Test func rejectsDuplicateKeysWhenAsked() {
    let options = JSONParseOptions(duplicateKeys: .reject)
    #expect(parseError(#"{"a":1,"b":{"a":2}}"#, options: options) == nil)
    #expect(
      parseError(#"{"a":1,"b":2,"a":3}"#, options: options)
        == JSONError(message: #"duplicate field "a""#, offset: 13))
  }
}
