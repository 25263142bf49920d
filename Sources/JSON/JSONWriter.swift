/// Writes canonical compact JSON, byte-compatible with Go's `encoding/json` `Marshal`: no
/// whitespace, object members in stored order, Go's string escaping (including `<`, `>`, `&`,
/// U+2028 and U+2029) and Go's float formatting (see docs/json.md).
public enum JSONWriter {
  /// Appends `value` to `buffer`.
  public static func append(_ value: JSONValue, to buffer: inout [UInt8]) {
    switch value {
    case .null: appendASCII("null", to: &buffer)
    case .bool(let b): appendASCII(b ? "true" : "false", to: &buffer)
    case .int(let n): appendInt(n, to: &buffer)
    case .double(let d): appendDouble(d, to: &buffer)
    case .string(let s): appendQuoted(s, to: &buffer)
    case .array(let elements):
      buffer.append(UInt8(ascii: "["))
      var first = true
      for element in elements {
        if !first { buffer.append(UInt8(ascii: ",")) }
        first = false
        append(element, to: &buffer)
      }
      buffer.append(UInt8(ascii: "]"))
    case .object(let object):
      buffer.append(UInt8(ascii: "{"))
      var first = true
      for member in object.members {
        if !first { buffer.append(UInt8(ascii: ",")) }
        first = false
        appendQuoted(member.key, to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        append(member.value, to: &buffer)
      }
      buffer.append(UInt8(ascii: "}"))
    }
  }

  @inline(__always) static func appendASCII(_ s: StaticString, to buffer: inout [UInt8]) {
    buffer.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }
}

extension JSONValue: CustomStringConvertible {
  /// The canonical compact JSON bytes of this value.
  public func serialized() -> [UInt8] {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(256)
    JSONWriter.append(self, to: &buffer)
    return buffer
  }

  /// The canonical compact JSON text of this value.
  public var jsonString: String { String(decoding: serialized(), as: UTF8.self) }

  public var description: String { jsonString }
}
