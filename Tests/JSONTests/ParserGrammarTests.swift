import JSON
import Testing

@Suite struct ParserGrammarTests {
  @Test func parsesEveryKindOfValue() throws {
    let v = try parse(#" {"a" : [1, -2.5, true, false, null, "s", {}, []] , "b":{"c":"d"}} "#)
    let expected: JSONValue = [
      "a": [1, -2.5, true, false, .null, "s", .object(JSONObject()), []],
      "b": ["c": "d"],
    ]
    #expect(v == expected)
  }

  @Test func keepsObjectKeyOrder() throws {
    let v = try parse(#"{"z":1,"a":2,"m":3}"#)
    #expect(v.objectValue?.keys == ["z", "a", "m"])
  }

  @Test func acceptsAnyTopLevelValueAndAllFourWhitespaceBytes() throws {
    #expect(try parse(" \t\r\n42\n") == .int(42))
    #expect(try parse("\"x\"") == .string("x"))
    #expect(try parse("null") == .null)
    #expect(try parse("[]") == .array([]))
  }

  @Test(arguments: [
    ("", "unexpected end of JSON input", 0),
    ("   ", "unexpected end of JSON input", 3),
    ("[1,]", "invalid character ']' looking for beginning of value", 3),
    (#"{"a":1,}"#, "invalid character '}' looking for beginning of object key string", 7),
    ("{,}", "invalid character ',' looking for beginning of object key string", 1),
    (#"{"a" 1}"#, "invalid character '1' after object key", 5),
    (#"{"a":1 "b":2}"#, "invalid character '\"' after object key:value pair", 7),
    ("[1 2]", "invalid character '2' after array element", 3),
    ("{1:2}", "invalid character '1' looking for beginning of object key string", 1),
    ("01", "invalid character '1' after top-level value", 1),
    ("-01", "invalid character '1' after top-level value", 2),
    ("1 2", "invalid character '2' after top-level value", 2),
    ("+1", "invalid character '+' looking for beginning of value", 0),
    (".5", "invalid character '.' looking for beginning of value", 0),
    ("1.", "unexpected end of JSON input", 2),
    ("1.e5", "invalid character 'e' after decimal point in numeric literal", 2),
    ("1e", "unexpected end of JSON input", 2),
    ("1e+", "unexpected end of JSON input", 3),
    ("1ex", "invalid character 'x' in exponent of numeric literal", 2),
    ("-", "unexpected end of JSON input", 1),
    ("-x", "invalid character 'x' in numeric literal", 1),
    ("NaN", "invalid character 'N' looking for beginning of value", 0),
    ("Infinity", "invalid character 'I' looking for beginning of value", 0),
    ("-Infinity", "invalid character 'I' in numeric literal", 1),
    ("tru", "unexpected end of JSON input", 3),
    ("trUe", "invalid character 'U' in literal true (expecting 'u')", 2),
    ("nul", "unexpected end of JSON input", 3),
    ("fals", "unexpected end of JSON input", 4),
    ("falsy", "invalid character 'y' in literal false (expecting 'e')", 4),
    ("nulll", "invalid character 'l' after top-level value", 4),
    ("[1] // c", "invalid character '/' after top-level value", 4),
    ("/* c */ 1", "invalid character '/' looking for beginning of value", 0),
    ("'a'", "invalid character '\\'' looking for beginning of value", 0),
    ("\u{0B}1", "invalid character '\\v' looking for beginning of value", 0),
    ("\u{0C}1", "invalid character '\\f' looking for beginning of value", 0),
    ("[\u{00A0}1]", "invalid character 'Â' looking for beginning of value", 1),
    ("\"abc", "unexpected end of JSON input", 4),
    ("\"a\u{01}\"", "invalid character '\\x01' in string literal", 2),
    ("\"a\nb\"", "invalid character '\\n' in string literal", 2),
    ("\"a\tb\"", "invalid character '\\t' in string literal", 2),
    (#""\x""#, "invalid character 'x' in string escape code", 2),
    (#""\'""#, "invalid character '\\'' in string escape code", 2),
    (#""\u12G4""#, "invalid character 'G' in \\u hexadecimal character escape", 5),
    (#""\u12"#, "unexpected end of JSON input", 5),
    (#""\"#, "unexpected end of JSON input", 2),
    ("[", "unexpected end of JSON input", 1),
    ("[1", "unexpected end of JSON input", 2),
    ("{", "unexpected end of JSON input", 1),
    (#"{"a""#, "unexpected end of JSON input", 4),
    (#"{"a":"#, "unexpected end of JSON input", 5),
    (#"{"a":1"#, "unexpected end of JSON input", 6),
    ("]", "invalid character ']' looking for beginning of value", 0),
  ])
  func rejectsInvalidJSONWithGoMessages(input: String, message: String, offset: Int) {
    #expect(parseError(input) == JSONError(message: message, offset: offset))
  }

  @Test func parsesFromEveryInputForm() throws {
    let text = #"{"k":[1,"v"]}"#
    let fromString = try JSONParser.parse(text)
    let fromArray = try JSONParser.parse(Array(text.utf8))
    let fromBuffer = try Array(text.utf8).withUnsafeBytes { raw in
      try JSONParser.parse(raw)
    }
    #expect(fromString == fromArray)
    #expect(fromString == fromBuffer)
    #expect(fromString == ["k": [1, "v"]])
  }

  @Test func parsesASubstringBackedString() throws {
    let text = String(#"xx{"a":1}yy"#.dropFirst(2).dropLast(2))
    #expect(try parse(text) == ["a": 1])
  }
}
