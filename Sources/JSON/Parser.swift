/// The parser's state: the input, a cursor, the open containers and reusable scratch space.
struct Parser {
  /// An array or object that has been opened but not yet closed.
  struct Frame {
    var isObject: Bool
    var elements: [JSONValue] = []
    /// Object members; the member being parsed holds a `.null` placeholder until its value ends.
    var members: [(key: String, value: JSONValue)] = []
    /// Where the value being parsed goes in `members` (a repeated key reuses the first slot).
    var slot = 0
    /// Key positions, built once an object grows past `linearSearchLimit` members.
    var index: [String: Int]? = nil
  }

  static let linearSearchLimit = 12

  let base: UnsafePointer<UInt8>
  let count: Int
  let options: JSONParseOptions
  var i = 0
  var stack: [Frame] = []
  var scratch: [UInt8] = []
  var duplicates: [JSONDuplicateKey] = []

  init(base: UnsafePointer<UInt8>, count: Int, options: JSONParseOptions) {
    self.base = base
    self.count = count
    self.options = options
  }

  @inline(__always) func isWhitespace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
  }

  @inline(__always) mutating func skipWhitespace() {
    while i < count && isWhitespace(base[i]) { i += 1 }
  }

  /// Parses the whole input: one value, then only whitespace.
  mutating func parseDocument() throws(JSONError) -> JSONValue {
    let value = try parseValueTree()
    skipWhitespace()
    if i < count { throw error("after top-level value") }
    return value
  }

  /// Parses one value, with arbitrarily deep nesting handled by `stack` instead of recursion.
  mutating func parseValueTree() throws(JSONError) -> JSONValue {
    stack.removeAll(keepingCapacity: true)
    outer: while true {
      skipWhitespace()
      guard i < count else { throw endOfInput() }
      var value: JSONValue
      switch base[i] {
      case UInt8(ascii: "{"):
        try openContainer()
        i += 1
        skipWhitespace()
        if i < count && base[i] == UInt8(ascii: "}") {
          i += 1
          value = .object(JSONObject())
        } else {
          stack.append(Frame(isObject: true))
          try parseKeyAndColon()
          continue outer
        }
      case UInt8(ascii: "["):
        try openContainer()
        i += 1
        skipWhitespace()
        if i < count && base[i] == UInt8(ascii: "]") {
          i += 1
          value = .array([])
        } else {
          stack.append(Frame(isObject: false))
          continue outer
        }
      case UInt8(ascii: "\""):
        value = .string(try parseString())
      case UInt8(ascii: "t"):
        try expectLiteral("true")
        value = .bool(true)
      case UInt8(ascii: "f"):
        try expectLiteral("false")
        value = .bool(false)
      case UInt8(ascii: "n"):
        try expectLiteral("null")
        value = .null
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        value = try parseNumber()
      default:
        throw error("looking for beginning of value")
      }
      // A value is complete: store it in its container, then close containers as they end.
      while !stack.isEmpty {
        let top = stack.count - 1
        skipWhitespace()
        if stack[top].isObject {
          stack[top].members[stack[top].slot].value = value
          guard i < count else { throw endOfInput() }
          if base[i] == UInt8(ascii: ",") {
            i += 1
            try parseKeyAndColon()
            continue outer
          }
          guard base[i] == UInt8(ascii: "}") else { throw error("after object key:value pair") }
          i += 1
          value = .object(JSONObject(uniqueMembers: stack.removeLast().members))
        } else {
          stack[top].elements.append(value)
          guard i < count else { throw endOfInput() }
          if base[i] == UInt8(ascii: ",") {
            i += 1
            continue outer
          }
          guard base[i] == UInt8(ascii: "]") else { throw error("after array element") }
          i += 1
          value = .array(stack.removeLast().elements)
        }
      }
      return value
    }
  }

  mutating func openContainer() throws(JSONError) {
    if stack.count >= options.maxDepth {
      throw JSONError(message: "exceeded max depth of \(options.maxDepth)", offset: i)
    }
  }

  /// Parses `"key" :` inside the top frame (an object) and picks the slot for its value.
  mutating func parseKeyAndColon() throws(JSONError) {
    skipWhitespace()
    guard i < count else { throw endOfInput() }
    guard base[i] == UInt8(ascii: "\"") else {
      throw error("looking for beginning of object key string")
    }
    let keyOffset = i
    let key = try parseString()
    skipWhitespace()
    guard i < count else { throw endOfInput() }
    guard base[i] == UInt8(ascii: ":") else { throw error("after object key") }
    i += 1
    let top = stack.count - 1
    if let existing = findKey(key, inFrame: top) {
      try noteDuplicate(key, offset: keyOffset)
      stack[top].slot = existing
    } else {
      let n = stack[top].members.count
      stack[top].members.append((key, .null))
      stack[top].slot = n
      if stack[top].index != nil {
        stack[top].index![key] = n
      } else if n + 1 == Parser.linearSearchLimit {
        var index: [String: Int] = [:]
        index.reserveCapacity(n * 2 + 2)
        for (j, m) in stack[top].members.enumerated() { index[m.key] = j }
        stack[top].index = index
      }
    }
  }

  func findKey(_ key: String, inFrame f: Int) -> Int? {
    if let index = stack[f].index { return index[key] }
    let members = stack[f].members
    for j in members.indices where members[j].key == key { return j }
    return nil
  }

  /// Records (or, with `.reject`, refuses) a repeated key of the top frame.
  mutating func noteDuplicate(_ key: String, offset: Int) throws(JSONError) {
    if options.duplicateKeys == .reject {
      throw JSONError(message: "duplicate field \"\(key)\"", offset: offset)
    }
    var tokens: [String] = []
    tokens.reserveCapacity(stack.count)
    for frame in stack.dropLast() {
      tokens.append(frame.isObject ? frame.members[frame.slot].key : String(frame.elements.count))
    }
    tokens.append(key)
    duplicates.append(JSONDuplicateKey(pointer: JSONPointer(tokens: tokens), offset: offset))
  }

  /// Consumes `word` (starting at the current byte, already known to be its first letter).
  mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
    let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
    i += 1
    for k in 1..<bytes.count {
      guard i < count else { throw endOfInput() }
      guard base[i] == bytes[k] else {
        let expected = Character(Unicode.Scalar(bytes[k]))
        throw error("in literal \(word) (expecting '\(expected)')")
      }
      i += 1
    }
  }

  /// `invalid character 'x' <context>` at the current byte.
  func error(_ context: String) -> JSONError {
    JSONError(message: "invalid character \(quoteByte(base[i])) \(context)", offset: i)
  }

  func endOfInput() -> JSONError {
    JSONError(message: "unexpected end of JSON input", offset: count)
  }
}

/// Quotes a byte the way Go's `encoding/json` `quoteChar` does: `'x'`, `'\n'`, `'\x01'`.
func quoteByte(_ b: UInt8) -> String {
  switch b {
  case UInt8(ascii: "'"): return "'\\''"
  case UInt8(ascii: "\""): return "'\"'"
  case UInt8(ascii: "\\"): return "'\\\\'"
  case 0x07: return "'\\a'"
  case 0x08: return "'\\b'"
  case 0x0C: return "'\\f'"
  case 0x0A: return "'\\n'"
  case 0x0D: return "'\\r'"
  case 0x09: return "'\\t'"
  case 0x0B: return "'\\v'"
  case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(b)))'"
  case 0x00..<0x20, 0x7F: return "'\\x" + hexByte(b) + "'"
  case 0x80...0xA0, 0xAD: return "'\\u00" + hexByte(b) + "'"
  default: return "'\(Character(Unicode.Scalar(b)))'"
  }
}

private func hexByte(_ b: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
}
