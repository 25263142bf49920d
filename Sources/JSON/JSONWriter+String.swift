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

  /// Appends valid UTF-8 as a JSON string literal; runs of bytes that need no escaping are
  /// copied in bulk.
  static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
    buffer.reserveCapacity(buffer.count + utf8.count + 2)
    buffer.append(UInt8(ascii: "\""))
    var runStart = 0
    var p = 0
    let n = utf8.count
    while p < n {
      let b = utf8[p]
      guard needsAttention(b) else {
        p += 1
        continue
      }
      if b == 0xE2 {
        // U+2028 / U+2029 are E2 80 A8 / E2 80 A9; anything else starting E2 is copied.
        guard p + 2 < n, utf8[p + 1] == 0x80, utf8[p + 2] & 0xFE == 0xA8 else {
          p += 1
          continue
        }
        flush(utf8, runStart, p, &buffer)
        appendASCII(utf8[p + 2] == 0xA8 ? "\\u2028" : "\\u2029", to: &buffer)
        p += 3
        runStart = p
        continue
      }
      flush(utf8, runStart, p, &buffer)
      appendEscape(b, to: &buffer)
      p += 1
      runStart = p
    }
    flush(utf8, runStart, n, &buffer)
    buffer.append(UInt8(ascii: "\""))
  }

  @inline(__always)
  static func flush(
    _ utf8: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, _ buffer: inout [UInt8]
  ) {
    if from < to { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[from..<to])) }
  }

  /// True for bytes that are escaped (`"`, `\`, controls, `<`, `>`, `&`) or may start
  /// U+2028/U+2029 (0xE2).
  @inline(__always) static func needsAttention(_ b: UInt8) -> Bool {
    if b < 0x20 { return true }
    switch b {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "<"), UInt8(ascii: ">"),
      UInt8(ascii: "&"), 0xE2:
      return true
    default:
      return false
    }
  }

  static func appendEscape(_ b: UInt8, to buffer: inout [UInt8]) {
    switch b {
    case UInt8(ascii: "\""): appendASCII("\\\"", to: &buffer)
    case UInt8(ascii: "\\"): appendASCII("\\\\", to: &buffer)
    case 0x0A: appendASCII("\\n", to: &buffer)
    case 0x0D: appendASCII("\\r", to: &buffer)
    case 0x09: appendASCII("\\t", to: &buffer)
    case 0x08: appendASCII("\\b", to: &buffer)
    case 0x0C: appendASCII("\\f", to: &buffer)
    default:
      let hex: StaticString = "0123456789abcdef"
      appendASCII("\\u00", to: &buffer)
      buffer.append(hex.utf8Start[Int(b >> 4)])
      buffer.append(hex.utf8Start[Int(b & 0xF)])
    }
  }
}
