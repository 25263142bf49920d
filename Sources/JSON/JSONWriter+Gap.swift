extension JSONWriter {
  /// Serializes the object `top` like `serialized()`, except that the value of
  /// `top[outer][inner]` is left out (the member is appended to `top[outer]` when absent, and
  /// `top[outer]` must be an object for the gap to exist). Returns the bytes and the offset at
  /// which the missing value belongs, or -1 when `top[outer]` is not an object.
  /// One buffer for the whole object, handed over as it is rather than copied into an array
  /// (the store's commit path calls this once per write and copies the bytes once more anyway,
  /// when it stamps the revision): the caller owns `bytes` (capacity may exceed `bytes.count`)
  /// and must call `bytes.deallocate()` exactly once.
  public static func serializeWithGap(_ top: JSONObject, outer: String, inner: String) -> (
    bytes: UnsafeMutableBufferPointer<UInt8>, gap: Int
  ) {
    var sink = ByteSink(capacity: 1536)
    var gap = -1
    sink.append(UInt8(ascii: "{"))
    top.members.withUnsafeBufferPointer { members in
      for i in members.indices {
        if i > 0 { sink.append(UInt8(ascii: ",")) }
        let key = members[i].key
        guard gap < 0, key == outer, case .object(let nested) = members[i].value else {
          writeMember(key, members[i].value, to: &sink)
          continue
        }
        writeQuoted(key, to: &sink)
        sink.append(UInt8(ascii: ":"))
        gap = writeWithGap(nested, inner: inner, to: &sink)
      }
    }
    sink.append(UInt8(ascii: "}"))
    return (sink.take(), gap)
  }

  /// Writes `object` with `inner` appended when absent, and its value left out; returns the
  /// offset where that value belongs.
  static func writeWithGap(_ object: JSONObject, inner: String, to sink: inout ByteSink) -> Int {
    var gap = -1
    sink.append(UInt8(ascii: "{"))
    object.members.withUnsafeBufferPointer { m in
      for i in m.indices {
        if i > 0 { sink.append(UInt8(ascii: ",")) }
        writeQuoted(m[i].key, to: &sink)
        sink.append(UInt8(ascii: ":"))
        if gap < 0 && m[i].key == inner {
          gap = sink.count
        } else {
          write(m[i].value, to: &sink)
        }
      }
    }
    if gap < 0 {
      if !object.isEmpty { sink.append(UInt8(ascii: ",")) }
      writeQuoted(inner, to: &sink)
      sink.append(UInt8(ascii: ":"))
      gap = sink.count
    }
    sink.append(UInt8(ascii: "}"))
    return gap
  }
}
