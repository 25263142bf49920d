extension JSONWriter {
  /// Appends `string` as a JSON string literal, escaped like Go's `encoding/json`.
  public static func appendQuoted(_ string: String, to buffer: inout [UInt8]) {
    var string = string
    string.withUTF8 { appendQuoted(utf8: $0, to: &buffer) }
  }

  /// Appends `string` as a JSON string literal, escaped like Go's `encoding/json`.
  public static func appendQuoted(_ string: Substring, to buffer: inout [UInt8]) {
    var string = string
    string.withUTF8 { appendQuoted(utf8: $0, to: &buffer) }
  }

  static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
    var sink = ByteSink(capacity: utf8.count + 2)
    writeQuoted(utf8: utf8, to: &sink)
    buffer.append(contentsOf: sink.bytes)
  }

  /// Writes a String as a JSON string literal without copying it.
  @inline(__always)
  static func writeQuoted(_ string: String, to sink: inout ByteSink) {
    let done: Void? = string.utf8.withContiguousStorageIfAvailable {
      writeQuoted(utf8: $0, to: &sink)
    }
    if done == nil {
      var copy = string
      copy.withUTF8 { writeQuoted(utf8: $0, to: &sink) }
    }
  }

  /// Writes valid UTF-8 as a JSON string literal. The common case, nothing to escape, is one
  /// scan (8 bytes at a time) and one copy.
  static func writeQuoted(utf8: UnsafeBufferPointer<UInt8>, to sink: inout ByteSink) {
    let n = utf8.count
    sink.reserve(n + 2)
    sink.put(UInt8(ascii: "\""))
    guard let s = utf8.baseAddress else {
      sink.put(UInt8(ascii: "\""))
      return
    }
    var p = 0
    while p + 8 <= n && SWAR.writerSpecial(SWAR.load(s + p)) == 0 { p += 8 }
    if p < n && p + 8 > n && n >= 8 && SWAR.writerSpecial(SWAR.load(s + n - 8)) == 0 {
      p = n  // the words ran out and the last 8 bytes (overlapping checked ones) are clean
    }
    while p < n && !needsAttention(s[p]) { p += 1 }
    if p < n {
      writeEscaping(s, n, from: p, to: &sink)
    } else {
      sink.putUnchecked(utf8)
    }
    sink.put(UInt8(ascii: "\""))
  }

  /// Writes `s[0..<n]` when `s[first]` needs attention: clean runs are copied in bulk.
  static func writeEscaping(
    _ s: UnsafePointer<UInt8>, _ n: Int, from first: Int, to sink: inout ByteSink
  ) {
    var runStart = 0
    var p = first
    // Bytes before `slowEnd` are checked one at a time (a block of 8 failed the quick test).
    var slowEnd = p + 1
    while p < n {
      if p >= slowEnd {
        while p + 8 <= n && SWAR.writerSpecial(SWAR.load(s + p)) == 0 { p += 8 }
        slowEnd = p + 8
        if p >= n { break }
      }
      let b = s[p]
      if !needsAttention(b) {
        p += 1
        continue
      }
      if b == 0xE2 && !(p + 2 < n && s[p + 1] == 0x80 && s[p + 2] & 0xFE == 0xA8) {
        p += 1  // another character starting E2: copied as is
        continue
      }
      sink.putUnchecked(UnsafeBufferPointer(start: s + runStart, count: p - runStart))
      // Room for the longest escape (6 bytes) plus everything still to come and the quote.
      sink.reserve(n - p + 7)
      if b == 0xE2 {
        // U+2028 / U+2029 are E2 80 A8 / E2 80 A9.
        putASCII(s[p + 2] == 0xA8 ? "\\u2028" : "\\u2029", &sink)
        p += 3
      } else {
        putEscape(b, &sink)
        p += 1
      }
      runStart = p
    }
    sink.putUnchecked(UnsafeBufferPointer(start: s + runStart, count: n - runStart))
  }

  /// True for bytes that are escaped (`"`, `\`, controls, `<`, `>`, `&`) or may start
  /// U+2028/U+2029 (0xE2).
  @inline(__always) static func needsAttention(_ b: UInt8) -> Bool {
    // Bits 0-31 (controls), 0x22 ", 0x26 &, 0x3C <, 0x3E >.
    let lowMask: UInt64 = 0x5000_0044_FFFF_FFFF
    if b < 64 { return lowMask >> b & 1 != 0 }
    return b == UInt8(ascii: "\\") || b == 0xE2
  }

  /// Writes ASCII whose room is reserved.
  @inline(__always) static func putASCII(_ s: StaticString, _ sink: inout ByteSink) {
    for k in 0..<s.utf8CodeUnitCount { sink.put(s.utf8Start[k]) }
  }

  static func putEscape(_ b: UInt8, _ sink: inout ByteSink) {
    switch b {
    case UInt8(ascii: "\""): putASCII("\\\"", &sink)
    case UInt8(ascii: "\\"): putASCII("\\\\", &sink)
    case 0x0A: putASCII("\\n", &sink)
    case 0x0D: putASCII("\\r", &sink)
    case 0x09: putASCII("\\t", &sink)
    case 0x08: putASCII("\\b", &sink)
    case 0x0C: putASCII("\\f", &sink)
    default:
      let hex: StaticString = "0123456789abcdef"
      putASCII("\\u00", &sink)
      sink.put(hex.utf8Start[Int(b >> 4)])
      sink.put(hex.utf8Start[Int(b & 0xF)])
    }
  }
}
