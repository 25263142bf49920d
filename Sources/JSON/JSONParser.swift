/// Parses RFC 8259 JSON text into a `JSONValue`, with Go `encoding/json` semantics for numbers,
/// invalid UTF-8, lone surrogates and duplicate keys (see docs/json.md).
///
/// The parser is iterative (nesting costs heap, not stack) and reads the input in place.
public enum JSONParser {
  /// Parses one JSON document (surrounding whitespace allowed).
  public static func parse(
    _ bytes: UnsafeRawBufferPointer, options: JSONParseOptions = .init()
  ) throws(JSONError) -> JSONValue {
    try parseDetailed(bytes, options: options).value
  }

  /// Parses one JSON document (surrounding whitespace allowed).
  public static func parse(
    _ bytes: [UInt8], options: JSONParseOptions = .init()
  ) throws(JSONError) -> JSONValue {
    try parseDetailed(bytes, options: options).value
  }

  /// Parses one JSON document (surrounding whitespace allowed).
  public static func parse(
    _ text: String, options: JSONParseOptions = .init()
  ) throws(JSONError) -> JSONValue {
    try parseDetailed(text, options: options).value
  }

  /// Parses one JSON document and also reports repeated keys (with `.lastWins`; `.reject`
  /// throws at the first one instead).
  public static func parseDetailed(
    _ bytes: UnsafeRawBufferPointer, options: JSONParseOptions = .init()
  ) throws(JSONError) -> JSONParseResult {
    if let limit = options.maxBytes, bytes.count > limit {
      throw JSONError(
        message: "JSON input of \(bytes.count) bytes exceeds the limit of \(limit) bytes",
        offset: limit)
    }
    guard let base = bytes.baseAddress, !bytes.isEmpty else {
      throw JSONError(message: "unexpected end of JSON input", offset: 0)
    }
    var parser = Parser(
      base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, options: options)
    let value = try parser.parseDocument()
    return JSONParseResult(value: value, duplicateKeys: parser.duplicates)
  }

  /// Parses one JSON document and also reports repeated keys.
  public static func parseDetailed(
    _ bytes: [UInt8], options: JSONParseOptions = .init()
  ) throws(JSONError) -> JSONParseResult {
    let result = bytes.withUnsafeBytes { raw in
      Result { () throws(JSONError) in try parseDetailed(raw, options: options) }
    }
    return try result.get()
  }

  /// Parses one JSON document and also reports repeated keys.
  public static func parseDetailed(
    _ text: String, options: JSONParseOptions = .init()
  ) throws(JSONError) -> JSONParseResult {
    var text = text
    let result = text.withUTF8 { utf8 in
      Result { () throws(JSONError) in
        try parseDetailed(UnsafeRawBufferPointer(utf8), options: options)
      }
    }
    return try result.get()
  }
}
