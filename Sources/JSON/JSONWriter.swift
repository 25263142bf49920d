/// Writes canonical compact JSON, byte-compatible with Go's `encoding/json` `Marshal`: no
/// whitespace, object members in stored order, Go's string escaping (including `<`, `>`, `&`,
/// U+2028 and U+2029) and Go's float formatting (see docs/json.md).
public enum JSONWriter {
  /// Appends `value` to `buffer`.
  public static func append(_ value: JSONValue, to buffer: inout [UInt8]) {
    var sink = ByteSink(capacity: 1024)
    write(value, to: &sink)
    buffer.append(contentsOf: sink.bytes)
  }

  static func write(_ value: JSONValue, to sink: inout ByteSink) {
    switch value {
    case .null: sink.append("null")
    case .bool(let b): sink.append(b ? "true" : "false")
    case .int(let n): writeInt(n, to: &sink)
    case .double(let d): writeDouble(d, to: &sink)
    case .string(let s): writeQuoted(s, to: &sink)
    case .array(let elements): writeElements(elements, to: &sink)
    case .object(let object): writeMembers(object.members, to: &sink)
    }
  }

  /// Writes an array; elements are borrowed from its storage, not copied out.
  static func writeElements(_ elements: [JSONValue], to sink: inout ByteSink) {
    sink.append(UInt8(ascii: "["))
    elements.withUnsafeBufferPointer { e in
      for i in e.indices {
        if i > 0 { sink.append(UInt8(ascii: ",")) }
        write(e[i], to: &sink)
      }
    }
    sink.append(UInt8(ascii: "]"))
  }

  /// Writes an object; members are borrowed from its storage, not copied out.
  static func writeMembers(_ members: [JSONObject.Member], to sink: inout ByteSink) {
    sink.append(UInt8(ascii: "{"))
    members.withUnsafeBufferPointer { m in
      for i in m.indices {
        if i > 0 { sink.append(UInt8(ascii: ",")) }
        writeMember(m[i].key, m[i].value, to: &sink)
      }
    }
    sink.append(UInt8(ascii: "}"))
  }

  /// Writes `"key":value`.
  @inline(__always)
  static func writeMember(_ key: String, _ value: JSONValue, to sink: inout ByteSink) {
    writeQuoted(key, to: &sink)
    sink.append(UInt8(ascii: ":"))
    write(value, to: &sink)
  }
}

extension JSONValue: CustomStringConvertible {
  /// The canonical compact JSON bytes of this value.
  public func serialized() -> [UInt8] {
    var sink = ByteSink(capacity: 1024)
    JSONWriter.write(self, to: &sink)
    return sink.array()
  }

  /// The canonical compact JSON text of this value.
  public var jsonString: String {
    var sink = ByteSink(capacity: 1024)
    JSONWriter.write(self, to: &sink)
    return String(decoding: sink.bytes, as: UTF8.self)
  }

  public var description: String { jsonString }
}
