/// The parser's state: the input, a cursor, the open containers and reusable scratch space.
struct Parser: ~Copyable {
  /// An array or object that has been opened but not yet closed.
  struct Frame {
    var isObject: Bool
    /// Where this container's elements (in `elements`) or members (in `members`) begin.
    var start: Int
    /// Arrays: elements stored so far. Objects: the index in `members` that receives the value
    /// being parsed (a repeated key reuses its first slot).
    var slot = 0
    /// Key positions, built once an object grows past `linearSearchLimit` members.
    var index: [String: Int]? = nil
  }

  static let linearSearchLimit = 12

  let base: UnsafePointer<UInt8>
  let count: Int
  let options: JSONParseOptions
  var i = 0
  // Initial capacities keep every block at most 1 KiB, which malloc serves from its per-thread
  // cache (~50 instructions with the free; a 2 KiB block took ~350). The stacks double when a
  // document nests or fans out further.
  var stack = MoveStack<Frame>(capacity: 8)
  /// Elements of all open arrays, innermost last.
  var elements = MoveStack<JSONValue>(capacity: 16)
  /// Members of all open objects, innermost last; a member whose value is being parsed holds a
  /// `.null` placeholder.
  var members = MoveStack<JSONObject.Member>(capacity: 16)
  /// `fingerprint` of each entry of `members` (0 when the key had escapes or invalid UTF-8).
  var keyPrints = MoveStack<UInt64>(capacity: 16)
  var scratch = ByteSink(capacity: 256)
  /// Whether the last string parsed had escapes or invalid UTF-8 (so differs from its bytes).
  var lastStringWasDecoded = false
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
          stack.push(Frame(isObject: true, start: members.count))
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
          stack.push(Frame(isObject: false, start: elements.count))
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
          members[stack[top].slot].value = value
          guard i < count else { throw endOfInput() }
          if base[i] == UInt8(ascii: ",") {
            i += 1
            try parseKeyAndColon()
            continue outer
          }
          guard base[i] == UInt8(ascii: "}") else { throw error("after object key:value pair") }
          i += 1
          let start = stack.pop().start
          keyPrints.truncate(to: start)
          value = .object(JSONObject(uniqueMembers: members.popArray(from: start)))
        } else {
          elements.push(value)
          stack[top].slot += 1
          guard i < count else { throw endOfInput() }
          if base[i] == UInt8(ascii: ",") {
            i += 1
            continue outer
          }
          guard base[i] == UInt8(ascii: "]") else { throw error("after array element") }
          i += 1
          value = .array(elements.popArray(from: stack.pop().start))
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
    let key = try parseString(isKey: true)
    // Raw key bytes are the key unless it was decoded; then 0 means "compare the strings".
    let print =
      lastStringWasDecoded ? 0 : Parser.fingerprint(base + keyOffset + 1, i - keyOffset - 2)
    skipWhitespace()
    guard i < count else { throw endOfInput() }
    guard base[i] == UInt8(ascii: ":") else { throw error("after object key") }
    i += 1
    let top = stack.count - 1
    if let existing = findKey(key, print: print, inFrame: top) {
      try noteDuplicate(key, offset: keyOffset)
      stack[top].slot = existing
    } else {
      let n = members.count
      members.push(JSONObject.Member(key: key, value: .null))
      keyPrints.push(print)
      stack[top].slot = n
      if stack[top].index != nil {
        stack[top].index![key] = n
      } else if n + 1 - stack[top].start == Parser.linearSearchLimit {
        var index: [String: Int] = [:]
        index.reserveCapacity(2 * Parser.linearSearchLimit)
        for j in stack[top].start..<members.count { index[members[j].key] = j }
        stack[top].index = index
      }
    }
  }

  /// The slot in `members` of `key` in the object of frame `f`, if present. Fingerprints rule
  /// out most keys without comparing strings.
  func findKey(_ key: String, print: UInt64, inFrame f: Int) -> Int? {
    if let index = stack[f].index { return index[key] }
    var j = stack[f].start
    while j < members.count {
      let other = keyPrints[j]
      if (other == print || other == 0 || print == 0) && members[j].key == key { return j }
      j += 1
    }
    return nil
  }

  /// A nonzero summary of raw key bytes: equal bytes give equal fingerprints.
  @inline(__always)
  static func fingerprint(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var x: UInt64
    if n >= 8 {
      x = SWAR.load(p) ^ (SWAR.load(p + n - 8) &* 0x9E37_79B9_7F4A_7C15)
    } else {
      x = 0
      for k in 0..<n { x = x << 8 | UInt64(p[k]) }
    }
    return x ^ UInt64(truncatingIfNeeded: n) << 56 | 1 << 63
  }

  /// Records (or, with `.reject`, refuses) a repeated key of the top frame.
  mutating func noteDuplicate(_ key: String, offset: Int) throws(JSONError) {
    if options.duplicateKeys == .reject {
      throw JSONError(message: "duplicate field \"\(key)\"", offset: offset)
    }
    var tokens: [String] = []
    tokens.reserveCapacity(stack.count)
    for f in 0..<stack.count - 1 {
      tokens.append(stack[f].isObject ? members[stack[f].slot].key : String(stack[f].slot))
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
