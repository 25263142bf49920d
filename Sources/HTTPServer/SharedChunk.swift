/// Bytes that many streams send unchanged (a watch frame goes to every watcher), with their
/// complete chunked-encoding form built once: `<hex size>\r\n` + parts + `\r\n`. A chunked
/// stream then queues one shared segment per chunk instead of a size line, the parts and a CRLF.
///
/// Immutable after `init`; `chunked` is exactly what `Transfer-Encoding: chunked` puts on the
/// wire for `parts`, and `parts` is what a non-chunked (HTTP/1.0) stream writes.
public final class SharedChunk: Sendable {
  /// The payload, as shared arrays written back to back.
  public let parts: [[UInt8]]
  /// The payload framed as one HTTP/1.1 chunk (empty when the payload is).
  public let chunked: [UInt8]
  /// Payload bytes.
  public let byteCount: Int

  public init(parts: [[UInt8]]) {
    self.parts = parts
    let size = parts.reduce(0) { $0 + $1.count }
    byteCount = size
    guard size > 0 else {
      chunked = []
      return
    }
    var wire: [UInt8] = []
    wire.reserveCapacity(size + 20)
    ChunkFraming.appendSizeLine(size, to: &wire)
    for part in parts { wire.append(contentsOf: part) }
    wire.append(13)
    wire.append(10)
    chunked = wire
  }
}

/// The chunk-size line of HTTP/1.1 chunked encoding.
enum ChunkFraming {
  /// Appends `<lowercase hex size>\r\n`.
  static func appendSizeLine(_ size: Int, to line: inout [UInt8]) {
    var shift = (Int.bitWidth - size.leadingZeroBitCount + 3) / 4 * 4
    if shift == 0 { shift = 4 }
    while shift > 0 {
      shift -= 4
      let digit = UInt8((size >> shift) & 0xF)
      line.append(digit < 10 ? 48 + digit : 87 + digit)
    }
    line.append(13)
    line.append(10)
  }
}
