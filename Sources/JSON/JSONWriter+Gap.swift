extension JSONWriter {
  /// Serializes the object `top` like `serialized()`, except that the value of
  /// `top[outer][inner]` is left out (the member is appended to `top[outer]` when absent, and
  /// `top[outer]` must be an object for the gap to exist). Returns the bytes and the offset at
  /// which the missing value belongs, or -1 when `top[outer]` is not an object.
  /// One buffer for the whole object: the store's commit path calls this once per write.
  public static func serializeWithGap(_ top: JSONObject, outer: String, inner: String) -> (
    bytes: [UInt8], gap: Int
  ) {
    var sink = ByteSink(capacity: 1536)
    var gap = -1
    sink.append(UInt8(ascii: "{"))
    var first = true
    for member in top.members {
      if !first { sink.append(UInt8(ascii: ",")) }
      first = false
      writeQuoted(member.key, to: &sink)
      sink.append(UInt8(ascii: ":"))
      guard gap < 0, member.key == outer, case .object(let nested) = member.value else {
        write(member.value, to: &sink)
        continue
      }
      sink.append(UInt8(ascii: "{"))
      var firstNested = true
      for m in nested.members {
        if !firstNested { sink.append(UInt8(ascii: ",")) }
        firstNested = false
        writeQuoted(m.key, to: &sink)
        sink.append(UInt8(ascii: ":"))
        if gap < 0 && m.key == inner {
          gap = sink.count
        } else {
          write(m.value, to: &sink)
        }
      }
      if gap < 0 {
        if !firstNested { sink.append(UInt8(ascii: ",")) }
        writeQuoted(inner, to: &sink)
        sink.append(UInt8(ascii: ":"))
        gap = sink.count
      }
      sink.append(UInt8(ascii: "}"))
    }
    sink.append(UInt8(ascii: "}"))
    return (sink.array(), gap)
  }
}
