// Serializes response heads and chunked body framing (RFC 9112 §4, §7.1).

/// Writes HTTP/1.1 response bytes into caller-owned buffers (no I/O, no allocation beyond the
/// buffer's growth). CR, LF and NUL in header names or values are replaced by a space, so a
/// value taken from a request can never split the response.
public enum ResponseEncoder {
  /// Appends "HTTP/1.1 <status> <reason>\r\n", each header "Name: value\r\n", then "\r\n".
  public static func appendHead(
    status: Int, headers: [(String, String)], into buffer: inout [UInt8]
  ) {
    appendStatusLine(status, into: &buffer)
    for (name, value) in headers { appendField(name, value, into: &buffer) }
    endHead(&buffer)
  }

  /// Appends "HTTP/1.1 <status> <reason>\r\n" (prebuilt for 100...599).
  public static func appendStatusLine(_ status: Int, into buffer: inout [UInt8]) {
    if status >= 100 && status < 600 {
      statusLines[status - 100].withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
    } else {
      buffer.append(contentsOf: statusLine(status))
    }
  }

  /// Appends one field line "Name: value\r\n" (CR, LF and NUL replaced by a space).
  public static func appendField(_ name: String, _ value: String, into buffer: inout [UInt8]) {
    appendSanitized(name, into: &buffer)
    buffer.append(ASCII.colon)
    buffer.append(ASCII.space)
    appendSanitized(value, into: &buffer)
    buffer.append(ASCII.cr)
    buffer.append(ASCII.lf)
  }

  /// Appends "Content-Length: <length>\r\n".
  public static func appendContentLength(_ length: Int, into buffer: inout [UInt8]) {
    contentLengthPrefix.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
    appendDecimal(length, into: &buffer)
    buffer.append(ASCII.cr)
    buffer.append(ASCII.lf)
  }

  /// Appends the empty line that ends a head.
  @inline(__always)
  public static func endHead(_ buffer: inout [UInt8]) {
    buffer.append(ASCII.cr)
    buffer.append(ASCII.lf)
  }

  private static let contentLengthPrefix = Array("Content-Length: ".utf8)

  private static let statusLines: [[UInt8]] = (100..<600).map { statusLine($0) }

  private static func statusLine(_ status: Int) -> [UInt8] {
    var line = Array("HTTP/1.1 ".utf8)
    appendDecimal(status, into: &line)
    line.append(ASCII.space)
    line.append(contentsOf: reasonPhrase(for: status).utf8)
    line.append(ASCII.cr)
    line.append(ASCII.lf)
    return line
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

  private static func appendSanitized(_ string: String, into buffer: inout [UInt8]) {
    var string = string
    string.withUTF8 { bytes in
      // The common case (nothing to replace) is one bulk copy.
      if isClean(bytes) {
        buffer.append(contentsOf: bytes)
        return
      }
      for b in bytes {
        buffer.append(b == ASCII.cr || b == ASCII.lf || b == 0 ? ASCII.space : b)
      }
    }
  }

  /// Whether `bytes` holds no CR, LF or NUL. Eight bytes at a time: a word with no byte below
  /// 0x0E cannot hold one (the bytes of a word that might are checked one by one).
  @inline(__always)
  private static func isClean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    let ones: UInt64 = 0x0101_0101_0101_0101
    let high: UInt64 = 0x8080_8080_8080_8080
    var i = 0
    while i &+ 8 <= bytes.count {
      let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
      // "has a byte less than n" for n = 0x0E: exact for bytes below 0x80.
      if (w &- 0x0E &* ones) & ~w & high != 0 {
        for k in i..<(i &+ 8) where isUnsafe(base[k]) { return false }
      }
      i &+= 8
    }
    while i < bytes.count {
      if isUnsafe(base[i]) { return false }
      i &+= 1
    }
    return true
  }

  @inline(__always)
  private static func isUnsafe(_ b: UInt8) -> Bool {
    b == ASCII.cr || b == ASCII.lf || b == 0
  }

  /// Appends the decimal digits of `value` (a minus sign first when negative): status codes
  /// and lengths here, and whatever else a writer of HTTP messages needs in decimal.
  public static func appendDecimal(_ value: Int, into buffer: inout [UInt8]) {
    if value >= 0 && value < 10_000_000_000 {
      // Up to ten digits without recursion (every Content-Length in practice).
      var digits: (UInt64, UInt64) = (0, 0)
      var count = 0
      var v = value
      withUnsafeMutableBytes(of: &digits) { d in
        repeat {
          d[15 - count] = UInt8(0x30 + v % 10)
          v /= 10
          count += 1
        } while v > 0
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(16 - count)...]))
      }
      return
    }
    if value < 0 {
      buffer.append(0x2D)
      appendDecimal(0 - (value / 10), into: &buffer)
      buffer.append(UInt8(0x30 + -(value % 10)))
      return
    }
    if value >= 10 { appendDecimal(value / 10, into: &buffer) }
    buffer.append(UInt8(0x30 + value % 10))
  }

  private static func appendHex(_ value: Int, into buffer: inout [UInt8]) {
    if value >= 16 { appendHex(value >> 4, into: &buffer) }
    let digit = value & 0xF
    buffer.append(UInt8(digit < 10 ? 0x30 + digit : 0x61 + digit - 10))
  }
}
