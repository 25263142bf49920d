import JSON
import Testing

@Suite struct NumberTests {
  @Test(arguments: [
    ("0", JSONValue.int(0)),
    ("-0", .int(0)),
    ("7", .int(7)),
    ("-7", .int(-7)),
    ("9223372036854775807", .int(.max)),
    ("-9223372036854775808", .int(.min)),
    ("999999999999999999", .int(999_999_999_999_999_999)),
    ("-999999999999999999", .int(-999_999_999_999_999_999)),
    ("1000000000000000000", .int(1_000_000_000_000_000_000)),
    ("9223372036854775808", .double(0x1p63)),
    ("-9223372036854775809", .double(-0x1p63)),
    ("18446744073709551616", .double(0x1p64)),
    ("123456789012345678901234567890", .double(1.2345678901234568e29)),
    ("-0.0", .double(-0.0)),
    ("0.1", .double(0.1)),
    ("1.0", .double(1)),
    ("1e2", .double(100)),
    ("1E+2", .double(100)),
    ("1e-7", .double(1e-7)),
    ("1e21", .double(1e21)),
    ("2.5e-3", .double(0.0025)),
    ("1e-400", .double(0)),
    ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
    ("5e-324", .double(.leastNonzeroMagnitude)),
    ("0.30000000000000004", .double(0.1 + 0.2)),
  ])
  func classifiesAndConvertsNumbers(input: String, expected: JSONValue) throws {
    let v = try parse(input)
    #expect(v == expected)
    if case .double(let d) = expected, d == 0 {
      // -0.0 == 0.0, so check the sign separately.
      #expect(v.doubleValue?.sign == d.sign)
    }
  }

  @Test func parsesDoublesCorrectlyRounded() throws {
    // Halfway and near-halfway cases that naive digit accumulation gets wrong.
    let cases = [
      "2.2250738585072011e-308", "9007199254740993", "0.1e1",
      "1.00000000000000011102230246251565404236316680908203125",
      "7.038531e-26", "89255e-22", "3.0517578125e-05",
    ]
    for text in cases {
      #expect(try parse(text).doubleValue == Double(text), "\(text)")
    }
  }

  @Test(arguments: ["1e400", "-1e400", "1.8e308", "123e999999999999"])
  func rejectsNumbersBeyondDouble(input: String) {
    #expect(
      parseError(input)
        == JSONError(
          message: "cannot unmarshal number \(input) into Go value of type float64", offset: 0))
  }

  @Test func reportsOverflowAtTheNumbersOffset() {
    #expect(parseError(#"{"a":[1,1e999]}"#)?.offset == 8)
  }
}
