// Serializes response heads and chunked body framing (RFC 9112 §4, §7.1).

/// Writes HTTP/1.1 response bytes into caller-owned buffers (no I/O, no allocation beyond the
/// buffer's growth). CR, LF and NUL in header names or values are replaced by a space, so a
/// value taken from a request can never split the response. The head functions append through
/// a `ResponseHeadWriter`, so arrays and borrowed buffers get the same bytes.
public enum ResponseEncoder {
  /// Appends "HTTP/1.1 <status> <reason>\r\n", each header "Name: value\r\n", then "\r\n".
  public static func appendHead(
    status: Int, headers: [(String, String)], into buffer: inout [UInt8]
  ) {
    appending(to: &buffer) { head in
      head.statusLine(status)
      for (name, value) in headers { head.field(name, value) }
      head.end()
    }
  }

  /// Appends "HTTP/1.1 <status> <reason>\r\n".
  public static func appendStatusLine(_ status: Int, into buffer: inout [UInt8]) {
    appending(to: &buffer) { $0.statusLine(status) }
  }

  /// Appends one field line "Name: value\r\n" (CR, LF and NUL replaced by a space).
  public static func appendField(_ name: String, _ value: String, into buffer: inout [UInt8]) {
    appending(to: &buffer) { $0.field(name, value) }
  }

  /// Appends "Content-Length: <length>\r\n".
  public static func appendContentLength(_ length: Int, into buffer: inout [UInt8]) {
    appending(to: &buffer) { $0.contentLength(length) }
  }

  /// Appends the empty line that ends a head.
  @inline(__always)
  public static func endHead(_ buffer: inout [UInt8]) {
    buffer.append(ASCII.cr)
    buffer.append(ASCII.lf)
  }

  /// Runs `body` with a writer that appends to `buffer` (moved in and back: never copied).
  private static func appending(
    to buffer: inout [UInt8], _ body: (inout ResponseHeadWriter) -> Void
  ) {
    var writer = ResponseHeadWriter(appendingTo: buffer)
    buffer = []
    body(&writer)
    buffer = writer.takeArray()
  }

  /// Appends one chunk "<hex size>\r\n<bytes>\r\n" (nothing for an empty input: empty chunks end a body).
  public static func appendChunk(_ bytes: UnsafeRawBufferPointer, into buffer: inout [UInt8]) {
    guard !bytes.isEmpty else { return }
    appendHex(bytes.count, into: &buffer)
    buffer.append(ASCII.cr)
    buffer.append(ASCII.lf)
    buffer.append(contentsOf: bytes)
    buffer.append(ASCII.cr)
    buffer.append(ASCII.lf)
  }

  public static func appendChunk(_ bytes: [UInt8], into buffer: inout [UInt8]) {
    bytes.withUnsafeBytes { appendChunk($0, into: &buffer) }
  }

  /// The last chunk of a chunked body, without trailers: "0\r\n\r\n".
  public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

  /// Whether `bytes` holds no CR, LF or NUL. Eight bytes at a time, the last word overlapping
  /// the one before when the count is not a multiple of eight: a word with no byte below 0x0E
  /// cannot hold one (the bytes of a word that might are checked one by one).
  @inline(__always)
  static func isClean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let n = bytes.count
    if n < 8 {
      for i in 0..<n where isUnsafe(base[i]) { return false }
      return true
    }
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    var i = 0
    while true {
      let at = min(i, n &- 8)
      let w = UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self)
      // "has a byte less than n" for n = 0x0E: exact for bytes below 0x80.
      if (w &- 0x0E &* ones) & ~w & high != 0 {
        for k in at..<(at &+ 8) where isUnsafe(base[k]) { return false }
      }
      i &+= 8
      if i >= n { return true }
    }
  }

  /// CR, LF and NUL: the bytes a head never carries in a name or value.
  @inline(__always)
  static func isUnsafe(_ b: UInt8) -> Bool {
    b == ASCII.cr || b == ASCII.lf || b == 0
  }

  /// Appends the decimal digits of `value` (a minus sign first when negative): status codes
  /// and lengths here, and whatever else a writer of HTTP messages needs in decimal.
  public static func appendDecimal(_ value: Int, into buffer: inout [UInt8]) {
    appending(to: &buffer) { $0.decimal(value) }
  }

  private static func appendHex(_ value: Int, into buffer: inout [UInt8]) {
    if value >= 16 { appendHex(value >> 4, into: &buffer) }
    let digit = value & 0xF
    buffer.append(UInt8(digit < 10 ? 0x30 + digit : 0x61 + digit - 10))
  }
}
