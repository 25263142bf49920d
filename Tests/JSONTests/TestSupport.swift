import JSON

/// Parses `text`, failing the test with the parser's message if it does not parse.
func parse(_ text: String, options: JSONParseOptions = .init()) throws -> JSONValue {
  try JSONParser.parse(text, options: options)
}

/// Parses `bytes` or returns the error (for tables that mix both outcomes).
func parseResult(_ bytes: [UInt8], options: JSONParseOptions = .init()) -> Result<
  JSONValue, JSONError
> {
  Result { () throws(JSONError) in try JSONParser.parse(bytes, options: options) }
}

/// The error parsing `text` throws, or nil if it parses.
func parseError(_ text: String, options: JSONParseOptions = .init()) -> JSONError? {
  if case .failure(let e) = parseResult(Array(text.utf8), options: options) { return e }
  return nil
}

/// The canonical text of `text` after a parse.
func canonical(_ text: String) throws -> String {
  try JSONParser.parse(text).jsonString
}

/// A small deterministic generator (SplitMix64) so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
