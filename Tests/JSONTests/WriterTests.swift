import JSON
import Testing

@Suite struct WriterTests {
  /// Input text → Go's `json.Marshal` output for the same unstructured value.
  @Test(arguments: [
    (" { \"b\" : [ 1 , 2 ] , \"a\" : { } } ", #"{"b":[1,2],"a":{}}"#),
    ("[null,true,false]", "[null,true,false]"),
    ("[[],{},[{}]]", "[[],{},[{}]]"),
    ("-0", "0"),
    ("-0.0", "-0"),
    ("0.0", "0"),
    ("2.0", "2"),
    ("1.5", "1.5"),
    ("100", "100"),
    ("1e2", "100"),
    ("0.1", "0.1"),
    ("-0.000001", "-0.000001"),
    ("0.0000001", "1e-7"),
    ("1.5e-7", "1.5e-7"),
    ("1e-10", "1e-10"),
    ("1.25e-100", "1.25e-100"),
    ("5e-324", "5e-324"),
    ("1e20", "100000000000000000000"),
    ("999999999999999900000", "999999999999999900000"),
    ("1e21", "1e+21"),
    ("-1.5e21", "-1.5e+21"),
    ("1e100", "1e+100"),
    ("1.7976931348623157e308", "1.7976931348623157e+308"),
    ("123456789012345678901234567890", "1.2345678901234568e+29"),
    ("9223372036854775807", "9223372036854775807"),
    ("-9223372036854775808", "-9223372036854775808"),
    ("9223372036854775808", "9223372036854776000"),
    ("126813040159271792", "126813040159271792"),
    ("126813040159271792.0", "126813040159271790"),
    ("12345.678", "12345.678"),
    ("0.30000000000000004", "0.30000000000000004"),
    ("3.14159e5", "314159"),
    ("1e-6", "0.000001"),
    ("123e-8", "0.00000123"),
  ])
  func writesNumbersLikeGo(input: String, expected: String) throws {
    #expect(try canonical(input) == expected)
  }

  @Test(arguments: [
    ("", #""""#),
    ("plain ascii", #""plain ascii""#),
    ("q\"b\\s/", #""q\"b\\s/""#),
    ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
    ("\u{0}\u{1}\u{1F}\u{0B}", #""\u0000\u0001\u001f\u000b""#),
    ("\u{7F}", "\"\u{7F}\""),
    ("<a href=\"x\">&amp;</a>", #""\u003ca href=\"x\"\u003e\u0026amp;\u003c/a\u003e""#),
    ("line\u{2028}para\u{2029}", #""line\u2028para\u2029""#),
    ("€ é 日本 😀 \u{2027}\u{202A}", "\"€ é 日本 😀 \u{2027}\u{202A}\""),
    ("\u{FFFD}", "\"\u{FFFD}\""),
  ])
  func quotesStringsLikeGo(input: String, expected: String) {
    var buffer: [UInt8] = []
    JSONWriter.appendQuoted(input, to: &buffer)
    #expect(String(decoding: buffer, as: UTF8.self) == expected)
    #expect(JSONValue.string(input).jsonString == expected)
  }

  @Test func quotesSubstrings() {
    let s = "xx<y>xx"
    var buffer: [UInt8] = []
    JSONWriter.appendQuoted(s.dropFirst(2).dropLast(2), to: &buffer)
    #expect(String(decoding: buffer, as: UTF8.self) == #""\u003cy\u003e""#)
  }

  @Test func appendsAfterExistingBytes() {
    var buffer = Array("prefix:".utf8)
    JSONWriter.append(["k": [1, "v"]], to: &buffer)
    #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:{"k":[1,"v"]}"#)
  }

  @Test func writesObjectsInStoredOrderWithEscapedKeys() {
    var object = JSONObject()
    object["z"] = 1
    object["a<"] = .string("x")
    object["z"] = 2
    #expect(JSONValue.object(object).jsonString == #"{"z":2,"a\u003c":"x"}"#)
  }

  @Test func writesExtremeIntegers() {
    #expect(JSONValue.int(.min).jsonString == "-9223372036854775808")
    #expect(JSONValue.int(.max).jsonString == "9223372036854775807")
    #expect(JSONValue.int(0).jsonString == "0")
    #expect(JSONValue.int(-10).jsonString == "-10")
  }

  @Test func writesNonFiniteDoublesAsNull() {
    // JSONValue never holds them when built by the parser; a hand-built one must still be JSON.
    #expect(JSONValue.array([.double(.nan), .double(.infinity)]).jsonString == "[null,null]")
  }

  @Test func serializedMatchesJSONString() {
    let v: JSONValue = ["a": [1.5, "x", .null]]
    #expect(v.serialized() == Array(v.jsonString.utf8))
    #expect(v.description == v.jsonString)
  }

  /// Every double's output parses back to the same double (bit for bit, apart from -0).
  @Test func doubleOutputRoundTrips() throws {
    var rng = SplitMix64(seed: 0xD0B1E)
    for _ in 0..<20_000 {
      let d = Double(bitPattern: rng.next())
      guard d.isFinite else { continue }
      let text = JSONValue.double(d).jsonString
      let back = try JSONParser.parse(text)
      if Int64(exactly: d) != nil {
        // Go's rule, kept: an integral double prints as its shortest digits padded with zeros,
        // which reads back as the nearest Int64 with those digits (same double, not same int).
        #expect(back.int64Value.map(Double.init) == d, "\(d) -> \(text)")
        #expect(back.doubleValue == d, "\(d) -> \(text)")
      } else {
        #expect(back == .double(d), "\(d) -> \(text)")
      }
    }
  }
}
