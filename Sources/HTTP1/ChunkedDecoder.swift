// Incremental decoder for the chunked transfer coding (RFC 9112 §7.1).

/// Decodes a chunked body as bytes arrive. Invariants: the decoded size never exceeds
/// `maxBodyBytes`; chunk-size lines plus trailer fields never exceed `maxHeadBytes` in total; a
/// partial line is rescanned only from where the previous scan stopped.
struct ChunkedDecoder {
  enum Phase: Equatable {
    /// Waiting for a `chunk-size [chunk-ext] CRLF` line.
    case sizeLine
    /// This many data bytes of the current chunk are still due.
    case data(Int)
    /// The CRLF after a chunk's data is due.
    case dataEnd
    /// After the last chunk: trailer fields until an empty line.
    case trailers
  }

  var phase = Phase.sizeLine
  /// Where to resume scanning the current line, relative to its start.
  var lineScanned = 0
  /// Bytes of chunk-size lines and trailers consumed so far.
  var metadataBytes = 0
  var trailerCount = 0

  /// Decodes from `buf[start...]`, appending data to `body`. Returns the index of the first
  /// unconsumed byte and whether the body is complete.
  mutating func decode(
    _ buf: UnsafeBufferPointer<UInt8>, from start: Int, into body: inout [UInt8],
    limits: HTTPParserLimits
  ) throws(HTTPParseError) -> (next: Int, done: Bool) {
    var i = start
    while i < buf.count {
      switch phase {
      case .data(let remaining):
        let n = min(remaining, buf.count - i)
        body.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i..<(i + n)]))
        i += n
        phase = n == remaining ? .dataEnd : .data(remaining - n)
      case .dataEnd:
        guard buf[i] == ASCII.cr else { throw .badRequest("chunk data not followed by CRLF") }
        guard i + 1 < buf.count else { return (i, false) }
        guard buf[i + 1] == ASCII.lf else { throw .badRequest("chunk data not followed by CRLF") }
        i += 2
        phase = .sizeLine
      case .sizeLine, .trailers:
        let budget = limits.maxHeadBytes - metadataBytes
        switch try scanLine(buf, from: i + lineScanned, limit: i + budget) {
        case .needMore(let resume):
          lineScanned = resume - i
          return (i, false)
        case .tooLong:
          if phase == .trailers { throw .headTooLarge }
          throw .badRequest("chunk-size line too long")
        case .found(let cr):
          lineScanned = 0
          metadataBytes += cr + 2 - i
          let line = UnsafeBufferPointer(rebasing: buf[i..<cr])
          i = cr + 2
          if phase == .trailers {
            if line.isEmpty { return (i, true) }
            trailerCount += 1
            if trailerCount > limits.maxHeaderCount { throw .tooManyHeaders }
            _ = try FieldLine.parse(line)
          } else {
            let size = try Self.parseSizeLine(line)
            if size == 0 {
              phase = .trailers
            } else {
              guard size <= limits.maxBodyBytes - body.count else {
                throw .bodyTooLarge(limit: limits.maxBodyBytes)
              }
              phase = .data(size)
            }
          }
        }
      }
    }
    return (i, false)
  }

  /// `1*HEXDIG [BWS ";" chunk-ext]`: at most 16 hex digits and no overflow; extensions skipped.
  static func parseSizeLine(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
    var size = 0
    var i = 0
    while i < line.count, let digit = hexValue(line[i]) {
      guard i < 16, size <= (Int.max - digit) >> 4 else {
        throw .badRequest("chunk size too large")
      }
      size = size << 4 | digit
      i += 1
    }
    guard i > 0 else { throw .badRequest("invalid chunk size") }
    guard i < line.count else { return size }
    // Whitespace is only allowed before ";" (BWS); a bare "5 " is rejected.
    while i < line.count && isOWS(line[i]) { i += 1 }
    guard i < line.count, line[i] == ASCII.semicolon else {
      throw .badRequest("invalid chunk size")
    }
    // Extensions are skipped; `scanLine` already rejected control bytes in them.
    return size
  }
}
