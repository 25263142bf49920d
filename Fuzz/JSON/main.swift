// libFuzzer target for the JSON module. Built by scripts/fuzz together with Sources/JSON.

/// Like `precondition`, but keeps its message in optimized builds so a crash report says which
/// invariant broke.
private func require(
  _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String = "",
  line: UInt = #line
) {
  if !condition() { fatalError("invariant violated: \(message())", line: line) }
}

/// Equal trees, where a number may come back as the other kind with the same value: the writer
/// prints an integral double without a fraction (as Go does), and that text reads back as an
/// integer when it fits Int64.
private func equivalent(_ a: JSONValue, _ b: JSONValue) -> Bool {
  switch (a, b) {
  case (.int(let x), .int(let y)): return x == y
  case (.double(let x), .double(let y)): return x == y
  case (.double(let x), .int(let y)):
    return x == x.rounded(.towardZero) && x.magnitude < 0x1p63 && Double(y) == x
  case (.array(let x), .array(let y)):
    return x.count == y.count && zip(x, y).allSatisfy { equivalent($0, $1) }
  case (.object(let x), .object(let y)):
    return x.count == y.count
      && zip(x.members, y.members).allSatisfy { $0.key == $1.key && equivalent($0.value, $1.value) }
  default: return a == b
  }
}

private func containsNegativeZero(_ v: JSONValue) -> Bool {
  switch v {
  case .double(let d): return d == 0 && d.sign == .minus
  case .array(let elements): return elements.contains(where: containsNegativeZero)
  case .object(let object): return object.members.contains { containsNegativeZero($0.value) }
  default: return false
  }
}

extension JSONParser {
  fileprivate static func parseOrNil(_ bytes: [UInt8]) -> JSONValue? {
    try? parse(bytes)
  }
}

private func depth(_ v: JSONValue) -> Int {
  switch v {
  case .array(let elements): return 1 + (elements.map(depth).max() ?? 0)
  case .object(let object): return 1 + (object.members.map { depth($0.value) }.max() ?? 0)
  default: return 0
  }
}

/// A pointer to the first leaf (following first members / elements), and every prefix of it.
private func firstPath(_ v: JSONValue) -> [String] {
  switch v {
  case .array(let elements): return elements.first.map { ["0"] + firstPath($0) } ?? []
  case .object(let object):
    return object.members.first.map { [$0.key] + firstPath($0.value) } ?? []
  default: return []
  }
}

private func parse(_ data: UnsafeRawBufferPointer, _ options: JSONParseOptions) -> Result<
  JSONParseResult, JSONError
> {
  Result { () throws(JSONError) in try JSONParser.parseDetailed(data, options: options) }
}

private func checkPointers(_ v: JSONValue) {
  let path = firstPath(v)
  for n in 0...path.count {
    let pointer = JSONPointer(tokens: Array(path[..<n]))
    let reparsed = try? JSONPointer(pointer.description)
    require(reparsed == pointer, "pointer text round trip \(pointer)")
    guard let target = v.value(at: pointer) else {
      fatalError("invariant violated: no value at \(pointer)")
    }
    var copy = v
    do {
      try copy.setValue(.string("fuzz"), at: pointer)
    } catch {
      fatalError("invariant violated: set at existing \(pointer): \(error)")
    }
    require(copy.value(at: pointer) == .string("fuzz"), "set then get \(pointer)")
    if n > 0 {
      var removed = v
      let value = try? removed.removeValue(at: pointer)
      require(value == target, "remove returns the value at \(pointer)")
    }
  }
}

private func check(_ data: UnsafeRawBufferPointer) {
  switch parse(data, JSONParseOptions()) {
  case .failure(let error):
    require(!error.message.isEmpty && error.offset >= 0 && error.offset <= data.count, "\(error)")
    // Rejecting duplicates can only fail too.
    if case .success = parse(data, JSONParseOptions(duplicateKeys: .reject)) {
      fatalError("invariant violated: strict parse accepted what the lenient one rejected")
    }
  case .success(let result):
    let v = result.value
    let strict = parse(data, JSONParseOptions(duplicateKeys: .reject))
    switch strict {
    case .success(let s):
      require(result.duplicateKeys.isEmpty && s.value == v, "strict parse differs")
    case .failure(let e):
      require(!result.duplicateKeys.isEmpty, "strict parse failed without duplicates: \(e)")
    }

    let first = v.serialized()
    let again: JSONValue
    do {
      again = try JSONParser.parse(first)
    } catch {
      fatalError("invariant violated: own output does not parse: \(error)")
    }
    require(equivalent(v, again), "re-parse differs: \(v.jsonString) vs \(again.jsonString)")
    // Stable: writing what was read back gives the same bytes. The one exception is Go's: a
    // negative-zero double prints as "-0", which reads back as the integer 0 and prints "0".
    let second = again.serialized()
    if containsNegativeZero(v) {
      require(JSONParser.parseOrNil(second)?.serialized() == second, "not stable after -0")
    } else {
      require(second == first, "serialization not stable")
    }
    require(again.jsonString == String(decoding: second, as: UTF8.self), "jsonString differs")

    let d = depth(v)
    require(d <= 512, "depth \(d) over the default limit")
    // (A replaced duplicate may have been deeper than what is left, so only without them.)
    if d > 0 && result.duplicateKeys.isEmpty {
      if case .failure = parse(data, JSONParseOptions(maxDepth: d)) {
        fatalError("invariant violated: depth \(d) rejected with maxDepth \(d)")
      }
      if case .success = parse(data, JSONParseOptions(maxDepth: d - 1)) {
        fatalError("invariant violated: depth \(d) accepted with maxDepth \(d - 1)")
      }
    }
    if case .success = parse(data, JSONParseOptions(maxBytes: data.count - 1)) {
      fatalError("invariant violated: maxBytes ignored")
    }
    checkPointers(v)
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
  check(UnsafeRawBufferPointer(start: start, count: count))
  return 0
}
