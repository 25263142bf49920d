extension JSONValue {
  /// The object this value holds, taken out (the value becomes `null`), so the caller holds
  /// the only reference and edits it without copying it; nil, and nothing changes, for a
  /// non-object. (Binding `case .object(var o)` in a `switch` over the value and then setting
  /// the value to `null` does not do this: the switch keeps a second reference, measured, and
  /// the first edit copies every member.)
  public mutating func takeObject() -> JSONObject? {
    guard case .object(let o) = self else { return nil }
    self = .null
    return o
  }

  /// The array this value holds, taken out like `takeObject()`.
  public mutating func takeArray() -> [JSONValue]? {
    guard case .array(let a) = self else { return nil }
    self = .null
    return a
  }

  /// The member `key` of an object; nil for a missing member or a non-object.
  public subscript(key: String) -> JSONValue? {
    if case .object(let object) = self { return object[key] }
    return nil
  }

  /// The element at `index` of an array; nil when out of bounds or for a non-array.
  public subscript(index: Int) -> JSONValue? {
    if case .array(let elements) = self, elements.indices.contains(index) {
      return elements[index]
    }
    return nil
  }

  /// The string, if this is a `.string`.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// The boolean, if this is a `.bool`.
  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  /// The integer, if this is an `.int`, or a `.double` holding an integer that fits Int64.
  public var int64Value: Int64? {
    switch self {
    case .int(let n): return n
    case .double(let d): return exactInt64(d)
    default: return nil
    }
  }

  /// The number as a Double, if this is an `.int` or a `.double`.
  public var doubleValue: Double? {
    switch self {
    case .int(let n): return Double(n)
    case .double(let d): return d
    default: return nil
    }
  }

  /// The elements, if this is an `.array`.
  public var arrayValue: [JSONValue]? {
    if case .array(let elements) = self { return elements }
    return nil
  }

  /// The object, if this is an `.object`.
  public var objectValue: JSONObject? {
    if case .object(let object) = self { return object }
    return nil
  }

  /// True for `.object` and `.array`: the values with members or elements below them.
  public var isContainer: Bool {
    switch self {
    case .object, .array: return true
    default: return false
    }
  }

  /// True for `.null`.
  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }
}

/// `Int64(exactly:)` without libm (that initializer calls `trunc`, and this module links no
/// libm): the conversion truncates in hardware, and equality tells whether it was exact.
func exactInt64(_ d: Double) -> Int64? {
  guard d >= -0x1p63 && d < 0x1p63 else { return nil }
  let n = Int64(d)
  return Double(n) == d ? n : nil
}
