import JSON
import Testing

@Suite struct PointerTests {
  /// RFC 6901 section 5's example document.
  let document: JSONValue = [
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    "k\"l": 6,
    " ": 7,
    "m~n": 8,
  ]

  @Test(
    arguments: [
      ("", nil),
      ("/foo", JSONValue.array(["bar", "baz"])),
      ("/foo/0", "bar"),
      ("/", 0),
      ("/a~1b", 1),
      ("/c%d", 2),
      ("/e^f", 3),
      ("/g|h", 4),
      ("/i\\j", 5),
      ("/k\"l", 6),
      ("/ ", 7),
      ("/m~0n", 8),
    ] as [(String, JSONValue?)])
  func evaluatesRFC6901Examples(pointer: String, expected: JSONValue?) throws {
    let p = try JSONPointer(pointer)
    #expect(document.value(at: p) == (expected ?? document))
    #expect(p.description == pointer)
  }

  @Test func unescapesTildeOneBeforeTildeZero() throws {
    #expect(try JSONPointer("/~01").tokens == ["~1"])
    #expect(try JSONPointer("/~10").tokens == ["/0"])
    #expect(try JSONPointer("//a//").tokens == ["", "a", "", ""])
    #expect(JSONPointer(tokens: ["a/b", "~", ""]).description == "/a~1b/~0/")
  }

  @Test(arguments: ["a", "a/b", "/~", "/a~2", "/~a", "/x/~"])
  func rejectsMalformedPointers(text: String) {
    #expect(throws: JSONError.self) { try JSONPointer(text) }
  }

  @Test func resolvesArrayIndicesStrictly() throws {
    let v: JSONValue = ["a": [10, 20, 30]]
    #expect(v.value(at: try JSONPointer("/a/2")) == 30)
    #expect(v.value(at: try JSONPointer("/a/3")) == nil)
    #expect(v.value(at: try JSONPointer("/a/-")) == nil)
    #expect(v.value(at: try JSONPointer("/a/01")) == nil)
    #expect(v.value(at: try JSONPointer("/a/-1")) == nil)
    #expect(v.value(at: try JSONPointer("/a/+1")) == nil)
    #expect(v.value(at: try JSONPointer("/a/")) == nil)
    #expect(v.value(at: try JSONPointer("/a/1e0")) == nil)
    #expect(v.value(at: try JSONPointer("/a/99999999999999999999999")) == nil)
    #expect(v.value(at: try JSONPointer("/a/0/x")) == nil)
    #expect(v.value(at: try JSONPointer("/b")) == nil)
    #expect(JSONPointer.arrayIndex("0") == 0)
    #expect(JSONPointer.arrayIndex("10") == 10)
    #expect(JSONPointer.arrayIndex("00") == nil)
  }

  @Test func setsMembersAndElements() throws {
    var v: JSONValue = ["a": [1, 2], "b": ["c": 1]]
    try v.setValue("x", at: JSONPointer("/b/c"))
    try v.setValue("y", at: JSONPointer("/b/d"))
    try v.setValue(9, at: JSONPointer("/a/0"))
    try v.setValue(3, at: JSONPointer("/a/-"))
    try v.setValue(4, at: JSONPointer("/a/3"))
    #expect(v == ["a": [9, 2, 3, 4], "b": ["c": "x", "d": "y"]])
    try v.setValue(true, at: JSONPointer(""))
    #expect(v == true)
  }

  @Test func setRequiresParentsAndValidIndices() throws {
    var v: JSONValue = ["a": [1], "s": "str"]
    let before = v
    for (text, offset) in [
      ("/x/y", 0), ("/a/2", 1), ("/a/01", 1), ("/a/x", 1), ("/s/0", 1), ("/a/5/b", 1),
    ] {
      let p = try JSONPointer(text)
      #expect(throws: JSONError.self, "\(text)") { try v.setValue(0, at: p) }
      do {
        try v.setValue(0, at: p)
      } catch {
        #expect(error.offset == offset, "\(text): \(error.message)")
      }
    }
    #expect(v == before)
  }

  @Test func removesMembersAndElements() throws {
    var v: JSONValue = ["a": [1, 2, 3], "b": ["c": 1, "d": 2]]
    #expect(try v.removeValue(at: JSONPointer("/a/1")) == 2)
    #expect(try v.removeValue(at: JSONPointer("/b/c")) == 1)
    #expect(v == ["a": [1, 3], "b": ["d": 2]])
    #expect(v.objectValue?.keys == ["a", "b"])
  }

  @Test func removeFailsForMissingTargets() throws {
    var v: JSONValue = ["a": [1], "b": 1]
    for text in ["", "/x", "/a/1", "/a/-", "/b/c", "/x/y"] {
      let p = try JSONPointer(text)
      #expect(throws: JSONError.self, "\(text)") { try v.removeValue(at: p) }
    }
    #expect(v == ["a": [1], "b": 1])
  }

  @Test func mutatesInPlaceWithoutDisturbingCopies() throws {
    let original: JSONValue = ["a": ["b": [1, 2]]]
    var copy = original
    try copy.setValue(3, at: JSONPointer("/a/b/-"))
    #expect(original == ["a": ["b": [1, 2]]])
    #expect(copy == ["a": ["b": [1, 2, 3]]])
  }
}
