/// What `ResponseParser.feed` reports, in order: one `head`, any number of `body`, one `end`.
public enum ResponseParserEvent {
  case head(status: Int, headers: [(name: String, value: String)], keepAlive: Bool)
  /// Body bytes with the chunk framing removed; valid only during the callback.
  case body(UnsafeRawBufferPointer)
  case end
}

/// Incremental, I/O-free HTTP/1.1 response parser: status line and header fields, bodies framed
/// by Content-Length, chunked transfer coding (extensions and trailers skipped) or the end of the
/// connection; back-to-back responses on one connection. Body bytes are passed through without
/// copying.
///
/// Invariant: after an error the parser must be discarded (the connection is unusable).
public struct ResponseParser {
  private enum State {
    case head
    case fixed(Int)
    case chunkSize
    case chunkData(Int)
    /// The CRLF after a chunk's data: bytes of it still due.
    case chunkEnd(Int)
    case trailers
    case untilClose
  }

  private var state = State.head
  private var line: [UInt8] = []
  public let maxHeadBytes: Int

  public init(maxHeadBytes: Int = 1 << 20) { self.maxHeadBytes = maxHeadBytes }

  /// True while a response has started and not ended (a close now cuts it short).
  public var inResponse: Bool {
    if case .head = state { return !line.isEmpty }
    return true
  }

  /// Consumes `buffer`, reporting events to `sink` as they complete. `headRequest`: the request
  /// being answered was a HEAD (its response has no body whatever the headers say).
  public mutating func feed(
    _ buffer: UnsafeRawBufferPointer, headRequest: Bool = false,
    _ sink: (ResponseParserEvent) -> Void
  ) throws(ClientError) {
    var i = 0
    let n = buffer.count
    while i < n {
      switch state {
      case .head:
        while i < n {
          let b = buffer[i]
          i += 1
          if b == 0x0A && line.count >= 3 && line[line.count - 1] == 0x0D
            && line[line.count - 2] == 0x0A && line[line.count - 3] == 0x0D
          {
            line.removeLast()
            let parsed = try Self.parseHead(line)
            line.removeAll(keepingCapacity: true)
            sink(.head(status: parsed.status, headers: parsed.headers, keepAlive: parsed.keepAlive))
            var framing = parsed.framing
            if headRequest || parsed.status == 204 || parsed.status == 304
              || (100..<200).contains(parsed.status)
            {
              framing = .fixed(0)
            }
            if case .fixed(0) = framing {
              state = .head
              sink(.end)
            } else {
              state = framing
            }
            break
          }
          line.append(b)
          if line.count > maxHeadBytes { throw ClientError.protocolError("response head too long") }
        }
      case .fixed(let remaining):
        let take = min(remaining, n - i)
        sink(.body(UnsafeRawBufferPointer(rebasing: buffer[i..<(i + take)])))
        i += take
        if take == remaining {
          state = .head
          sink(.end)
        } else {
          state = .fixed(remaining - take)
        }
      case .untilClose:
        sink(.body(UnsafeRawBufferPointer(rebasing: buffer[i..<n])))
        i = n
      case .chunkSize, .trailers:
        while i < n {
          let b = buffer[i]
          i += 1
          if b != 0x0A {
            line.append(b)
            if line.count > 4096 {
              throw ClientError.protocolError("chunk-size or trailer line too long")
            }
            continue
          }
          if line.last == 0x0D { line.removeLast() }
          if case .trailers = state {
            let empty = line.isEmpty
            line.removeAll(keepingCapacity: true)
            if empty {
              state = .head
              sink(.end)
            }
            break
          }
          let size = try Self.chunkSize(line)
          line.removeAll(keepingCapacity: true)
          state = size == 0 ? .trailers : .chunkData(size)
          break
        }
      case .chunkData(let remaining):
        let take = min(remaining, n - i)
        sink(.body(UnsafeRawBufferPointer(rebasing: buffer[i..<(i + take)])))
        i += take
        state = take == remaining ? .chunkEnd(2) : .chunkData(remaining - take)
      case .chunkEnd(let due):
        let expected: UInt8 = due == 2 ? 0x0D : 0x0A
        guard buffer[i] == expected else {
          throw ClientError.protocolError("chunk data not followed by CRLF")
        }
        i += 1
        state = due == 2 ? .chunkEnd(1) : .chunkSize
      }
    }
  }

  /// The connection reached end-of-file: ends a body framed by the close; fails if a response
  /// was cut short.
  public mutating func finish(_ sink: (ResponseParserEvent) -> Void) throws(ClientError) {
    if case .untilClose = state {
      state = .head
      sink(.end)
      return
    }
    if inResponse {
      throw ClientError.connectionLost("connection closed in the middle of a response")
    }
  }

  private static func chunkSize(_ line: [UInt8]) throws(ClientError) -> Int {
    var size = 0
    var digits = 0
    for b in line {
      let v: Int
      switch b {
      case 0x30...0x39: v = Int(b - 0x30)
      case 0x41...0x46: v = Int(b - 0x41 + 10)
      case 0x61...0x66: v = Int(b - 0x61 + 10)
      default: v = -1
      }
      if v < 0 { break }  // a chunk extension (";name=value") or whitespace follows
      size = size << 4 | v
      digits += 1
      if digits > 15 { throw ClientError.protocolError("chunk size too large") }
    }
    guard digits > 0 else { throw ClientError.protocolError("invalid chunk size line") }
    return size
  }

  private static func parseHead(_ bytes: [UInt8]) throws(ClientError) -> (
    status: Int, headers: [(name: String, value: String)], keepAlive: Bool, framing: State
  ) {
    let text = String(decoding: bytes, as: UTF8.self)
    var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)
    guard !lines.isEmpty else { throw ClientError.protocolError("empty response head") }
    let statusLine = lines.removeFirst()
    let parts = statusLine.split(separator: " ", maxSplits: 2)
    guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]),
      (100..<1000).contains(status)
    else { throw ClientError.protocolError("bad status line: \(statusLine.prefix(200))") }
    var keepAlive = parts[0] == "HTTP/1.1"
    var headers: [(name: String, value: String)] = []
    headers.reserveCapacity(lines.count)
    var length: Int?
    var chunked = false
    for l in lines {
      guard let colon = l.firstIndex(of: ":") else {
        throw ClientError.protocolError("bad header line: \(l.prefix(200))")
      }
      let name = String(l[..<colon])
      var value = l[l.index(after: colon)...]
      while let f = value.first, f == " " || f == "\t" { value = value.dropFirst() }
      while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
      headers.append((name, String(value)))
      switch name.lowercased() {
      case "content-length":
        guard let n = Int(value), n >= 0 else {
          throw ClientError.protocolError("bad Content-Length: \(value)")
        }
        length = n
      case "transfer-encoding":
        chunked = value.lowercased().hasSuffix("chunked")
      case "connection":
        let v = value.lowercased()
        if v.contains("close") {
          keepAlive = false
        } else if v.contains("keep-alive") {
          keepAlive = true
        }
      default: break
      }
    }
    if chunked { return (status, headers, keepAlive, .chunkSize) }
    if let length { return (status, headers, keepAlive, .fixed(length)) }
    if status == 204 || status == 304 || (100..<200).contains(status) {
      return (status, headers, keepAlive, .fixed(0))
    }
    return (status, headers, false, .untilClose)
  }
}
