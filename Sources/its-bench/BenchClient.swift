#if canImport(Glibc)
  import Glibc
#endif
import Certificates
import HTTP1
import Sockets

/// A small HTTP/1.1 client for the `http-*` scenarios: loopback TCP on the project's `Sockets`
/// wrappers, keep-alive, Content-Length and chunked response bodies. No Foundation networking.

/// `http://HOST:PORT` or `https://HOST:PORT` (IPv4 literal or `localhost`; the scenarios only
/// talk to loopback).
struct ServerURL: Sendable, CustomStringConvertible {
  let host: String
  let port: UInt16
  /// `https://`: only `http-watch` speaks TLS (`ServerOptions.url()` refuses it).
  let tls: Bool

  init(_ text: String) throws(BenchError) {
    var rest = Substring(text)
    tls = rest.hasPrefix("https://")
    if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
    if tls { rest = rest.dropFirst(8) }
    while rest.hasSuffix("/") { rest = rest.dropLast() }
    guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...])
    else { throw BenchError("--server must look like http://127.0.0.1:PORT, got \(text)") }
    let host = String(rest[..<colon])
    self.host = host == "localhost" ? "127.0.0.1" : host
    self.port = port
  }

  var description: String { "\(tls ? "https" : "http")://\(host):\(port)" }
  /// The `Host` header value.
  var authority: String { "\(host):\(port)" }
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Opens a TCP connection to `url` (blocking connect), with TCP_NODELAY.
func connectTCP(_ url: ServerURL, nonBlocking: Bool = false) throws(BenchError) -> Int32 {
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_port = url.port.bigEndian
  guard inet_pton(AF_INET, url.host, &address.sin_addr) == 1 else {
    throw BenchError("not an IPv4 address: \(url.host)")
  }
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
  guard fd >= 0 else { throw BenchError("socket: \(SystemError("socket", errno: errno))") }
  let rc = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
    }
  }
  guard rc == 0 else {
    let e = errno
    Syscall.close(fd)
    throw BenchError("\(SystemError("connect(\(url))", errno: e))")
  }
  Syscall.setNoDelay(fd)
  if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
  return fd
}

/// Raises the soft open-file limit to the hard limit (1,000 watchers need more than 1,024).
func raiseFileLimit(atLeast needed: Int) throws(BenchError) {
  var limit = rlimit()
  getrlimit(RLIMIT_NOFILE_ID, &limit)
  if limit.rlim_cur >= rlim_t(needed) { return }
  limit.rlim_cur = limit.rlim_max
  if setrlimit(RLIMIT_NOFILE_ID, &limit) != 0 || limit.rlim_cur < rlim_t(needed) {
    throw BenchError(
      "need \(needed) file descriptors but the hard limit is \(limit.rlim_max) (raise `ulimit -Hn`)"
    )
  }
}

private let RLIMIT_NOFILE_ID = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

/// Encodes one request. `body` goes out with Content-Length; a `token` as a bearer token.
func requestBytes(
  _ method: String, _ path: String, host: String, body: [UInt8]? = nil,
  contentType: String = "application/json", token: String? = nil
) -> [UInt8] {
  var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nAccept: application/json\r\n"
  if let token { head += "Authorization: Bearer \(token)\r\n" }
  if let body {
    head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
  }
  head += "\r\n"
  var bytes = Array(head.utf8)
  if let body { bytes.append(contentsOf: body) }
  return bytes
}

/// A parsed response head.
struct ResponseHead: Sendable {
  var status: Int
  var headers: HTTPHeaders
  /// The Content-Length, when the response has one.
  var contentLength: Int? = nil
}

/// What `ResponseParser.feed` reports, in order: `head`, any number of `data`, `end`.
enum ResponseEvent {
  case head(ResponseHead)
  /// Body bytes (chunk framing removed); valid only during the callback.
  case data(UnsafeRawBufferPointer)
  case end
}

/// Incremental HTTP/1.1 response parser: heads, Content-Length and chunked bodies (trailers
/// skipped), back-to-back responses on one connection. Body bytes are passed through without
/// copying. Responses to HEAD are not supported (the scenarios never send HEAD).
struct ResponseParser {
  private enum State {
    case head
    case fixed(Int)
    case chunkSize
    case chunkData(Int)
    /// The CRLF after a chunk's data; the count of its bytes still due.
    case chunkEnd(Int)
    case trailers
    /// No framing: the body runs until the connection closes.
    case untilClose
  }

  private var state = State.head
  /// A partial head, chunk-size line or trailer line.
  private var line: [UInt8] = []
  private let maxLine = 1 << 20
  /// Whether heads carry their header fields (a load generator that only needs the status and
  /// the framing saves making strings of them).
  private let keepHeaders: Bool
  private static let headTerminator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]

  init(keepHeaders: Bool = true) { self.keepHeaders = keepHeaders }

  /// True between a head and its end (a close now would cut a response short).
  var inResponse: Bool {
    if case .head = state { return !line.isEmpty }
    return true
  }

  /// Consumes `buffer`, reporting events to `sink` as they complete.
  mutating func feed(
    _ buffer: UnsafeRawBufferPointer, _ sink: (ResponseEvent) throws(BenchError) -> Void
  ) throws(BenchError) {
    var i = 0
    let n = buffer.count
    while i < n {
      switch state {
      case .head:
        let end: Int
        if line.isEmpty, let at = find(Self.headTerminator, in: buffer, from: i) {
          // The whole head is in this read (the usual case): parsed where it lies.
          end = at + 4
          let (head, framing) = try Self.parseHead(
            UnsafeRawBufferPointer(rebasing: buffer[i..<end]), keepHeaders: keepHeaders)
          i = end
          try begin(head, framing, sink)
        } else {
          // A head split across reads: gathered in `line` up to its terminator.
          let searchFrom = max(0, line.count - 3)
          line.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i..<n]))
          let found = line.withUnsafeBytes { find(Self.headTerminator, in: $0, from: searchFrom) }
          guard let at = found else {
            if line.count > maxLine { throw BenchError("response head too long") }
            i = n
            continue
          }
          end = at + 4
          i = n - (line.count - end)  // the bytes after the head are read again as the body
          let keep = keepHeaders
          let parsed = line.withUnsafeBytes { raw in
            Result { () throws(BenchError) in
              try Self.parseHead(UnsafeRawBufferPointer(rebasing: raw[..<end]), keepHeaders: keep)
            }
          }
          line.removeAll(keepingCapacity: true)
          let (head, framing) = try parsed.get()
          try begin(head, framing, sink)
        }
      case .fixed(let remaining):
        let take = min(remaining, n - i)
        try sink(.data(UnsafeRawBufferPointer(rebasing: buffer[i..<(i + take)])))
        i += take
        if take == remaining {
          state = .head
          try sink(.end)
        } else {
          state = .fixed(remaining - take)
        }
      case .untilClose:
        try sink(.data(UnsafeRawBufferPointer(rebasing: buffer[i..<n])))
        i = n
      case .chunkSize where line.isEmpty:
        // The whole size line is usually in this read: parsed in place, not byte by byte.
        if let nl = memchr(buffer.baseAddress! + i, 0x0A, n - i) {
          let end = UnsafeRawPointer(buffer.baseAddress!).distance(to: UnsafeRawPointer(nl))
          let lineEnd = end > i && buffer[end - 1] == 0x0D ? end - 1 : end
          let size = try Self.chunkSize(UnsafeRawBufferPointer(rebasing: buffer[i..<lineEnd]))
          i = end + 1
          state = size == 0 ? .trailers : .chunkData(size)
        } else {
          fallthrough
        }
      case .chunkSize, .trailers:
        while i < n {
          let b = buffer[i]
          i += 1
          if b != 0x0A {
            line.append(b)
            if line.count > maxLine { throw BenchError("chunk-size or trailer line too long") }
            continue
          }
          if line.last == 0x0D { line.removeLast() }
          if case .trailers = state {
            let empty = line.isEmpty
            line.removeAll(keepingCapacity: true)
            if empty {
              state = .head
              try sink(.end)
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
        try sink(.data(UnsafeRawBufferPointer(rebasing: buffer[i..<(i + take)])))
        i += take
        if take < remaining {
          state = .chunkData(remaining - take)
        } else if i + 1 < n && buffer[i] == 0x0D && buffer[i + 1] == 0x0A {
          i += 2  // the CRLF after the data, when it came in the same read
          state = .chunkSize
        } else {
          state = .chunkEnd(2)
        }
      case .chunkEnd(let due):
        let expected: UInt8 = due == 2 ? 0x0D : 0x0A
        guard buffer[i] == expected else { throw BenchError("chunk data not followed by CRLF") }
        i += 1
        state = due == 2 ? .chunkEnd(1) : .chunkSize
      }
    }
  }

  /// Reports a parsed head and enters its body's framing (an empty body ends at once).
  private mutating func begin(
    _ head: ResponseHead, _ framing: State, _ sink: (ResponseEvent) throws(BenchError) -> Void
  ) throws(BenchError) {
    try sink(.head(head))
    state = framing
    if case .fixed(0) = framing {
      state = .head
      try sink(.end)
    }
  }

  /// The connection closed: ends an unframed body, or fails if a response was cut short.
  mutating func finish(_ sink: (ResponseEvent) throws(BenchError) -> Void) throws(BenchError) {
    if case .untilClose = state {
      state = .head
      try sink(.end)
      return
    }
    if inResponse { throw BenchError("connection closed in the middle of a response") }
  }

  private static func chunkSize<Line: Collection<UInt8>>(_ line: Line) throws(BenchError) -> Int {
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
      if v < 0 { break }
      size = size << 4 | v
      digits += 1
      if digits > 15 { throw BenchError("chunk size too large") }
    }
    guard digits > 0 else { throw BenchError("invalid chunk size line") }
    return size
  }

  /// Parses a response head (`bytes` ends with its blank line) into the status, the header
  /// fields (when `keepHeaders`) and the body's framing, on the bytes.
  private static func parseHead(_ bytes: UnsafeRawBufferPointer, keepHeaders: Bool)
    throws(BenchError) -> (ResponseHead, State)
  {
    var lines = HeadLines(bytes)
    guard let statusLine = lines.next(), !statusLine.isEmpty else {
      throw BenchError("empty response head")
    }
    let status = try statusCode(statusLine)
    var headers = HTTPHeaders()
    var length: Int?
    var chunked = false
    while let l = lines.next(), !l.isEmpty {
      guard let colon = l.firstIndex(of: UInt8(ascii: ":")) else {
        throw BenchError("bad header line: \(String(decoding: l, as: UTF8.self))")
      }
      let name = UnsafeRawBufferPointer(rebasing: l[..<colon])
      var valueStart = colon + 1
      while valueStart < l.endIndex && (l[valueStart] == 0x20 || l[valueStart] == 0x09) {
        valueStart += 1
      }
      let value = UnsafeRawBufferPointer(rebasing: l[valueStart...])
      if keepHeaders {
        headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
      }
      if asciiLowercaseEquals(name, "content-length") {
        guard let n = decimal(value) else {
          throw BenchError("bad Content-Length: \(String(decoding: value, as: UTF8.self))")
        }
        length = n
      } else if asciiLowercaseEquals(name, "transfer-encoding") {
        chunked = asciiLowercaseHasSuffix(value, "chunked")
      }
    }
    let head = ResponseHead(status: status, headers: headers, contentLength: length)
    if status == 204 || status == 304 || (100..<200).contains(status) { return (head, .fixed(0)) }
    if chunked { return (head, .chunkSize) }
    if let length { return (head, .fixed(length)) }
    return (head, .untilClose)
  }

  /// The status code of `HTTP/1.x SSS reason`.
  private static func statusCode(_ line: UnsafeRawBufferPointer.SubSequence) throws(BenchError)
    -> Int
  {
    let text = UnsafeRawBufferPointer(rebasing: line)
    let space = text.firstIndex(of: 0x20) ?? text.count
    var codeEnd = space + 1
    while codeEnd < text.count && text[codeEnd] != 0x20 { codeEnd += 1 }
    let version: StaticString = "HTTP/1."
    guard space > 7, space < text.count, let base = text.baseAddress,
      memcmp(base, version.utf8Start, 7) == 0,
      let status = decimal(UnsafeRawBufferPointer(rebasing: text[(space + 1)..<codeEnd]))
    else {
      throw BenchError("bad status line: \(String(decoding: text, as: UTF8.self))")
    }
    return status
  }

  /// A non-negative decimal number of at most 18 digits, nil for anything else.
  private static func decimal(_ digits: UnsafeRawBufferPointer) -> Int? {
    guard !digits.isEmpty, digits.count <= 18 else { return nil }
    var n = 0
    for d in digits {
      guard d >= 0x30 && d <= 0x39 else { return nil }
      n = n * 10 + Int(d - 0x30)
    }
    return n
  }

  /// Whether `bytes`, ASCII-lowercased, equal `lower` (itself lowercase).
  private static func asciiLowercaseEquals(_ bytes: UnsafeRawBufferPointer, _ lower: StaticString)
    -> Bool
  {
    bytesEqualLowercased(bytes.assumingMemoryBound(to: UInt8.self), lower)
  }

  /// Whether `bytes`, ASCII-lowercased, end with `lower` (itself lowercase).
  private static func asciiLowercaseHasSuffix(
    _ bytes: UnsafeRawBufferPointer, _ lower: StaticString
  ) -> Bool {
    let m = lower.utf8CodeUnitCount
    guard bytes.count >= m else { return false }
    return asciiLowercaseEquals(
      UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - m)...]), lower)
  }
}

/// The lines of a response head (split at LF, a CR before it dropped).
private struct HeadLines {
  let bytes: UnsafeRawBufferPointer
  var at = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  mutating func next() -> UnsafeRawBufferPointer.SubSequence? {
    guard at < bytes.count else { return nil }
    let start = at
    var end = start
    while end < bytes.count && bytes[end] != 0x0A { end += 1 }
    at = end + 1
    if end > start && bytes[end - 1] == 0x0D { end -= 1 }
    return bytes[start..<end]
  }
}

/// A complete response with its body.
struct BenchResponse: Sendable {
  var status: Int
  var headers: HTTPHeaders
  var body: [UInt8]
  var text: String { String(decoding: body, as: UTF8.self) }
}

/// One blocking keep-alive connection: send a request, read its whole response. Over TLS when
/// `tls` is given (the handshake runs in `init`).
final class BlockingConnection {
  let url: ServerURL
  let fd: Int32
  /// The TLS session (https), or nil.
  let session: TLSSession?
  /// Sent as a bearer token by `request`.
  let token: String?
  private var parser = ResponseParser()
  private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
  /// Decrypted bytes (TLS only).
  private let plain = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

  /// Seconds a read may wait for bytes before `receive` gives up (a stalled server).
  let readTimeout: Int

  init(_ url: ServerURL, readTimeout: Int = 20, tls: TLSContext? = nil, token: String? = nil)
    throws(BenchError)
  {
    self.url = url
    let fd = try connectTCP(url)
    self.fd = fd
    self.readTimeout = readTimeout
    self.token = token
    var tv = timeval(tv_sec: readTimeout, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    do {
      session = try tls.map { (c) throws(BenchError) in
        try tlsHandshake(fd, c, serverName: url.host)
      }
    } catch {
      Syscall.close(fd)
      buffer.deallocate()
      plain.deallocate()
      throw error
    }
  }

  deinit {
    Syscall.close(fd)
    buffer.deallocate()
    plain.deallocate()
  }

  /// Writes all of `bytes` (encrypted first over TLS).
  func send(_ bytes: [UInt8]) throws(BenchError) {
    try writeAll(fd, encrypt(bytes))
  }

  /// `bytes` as they go on the wire: encrypted over TLS (records in sequence: bytes encrypted
  /// here must be sent in the order they were encrypted), unchanged otherwise.
  func encrypt(_ bytes: [UInt8]) throws(BenchError) -> [UInt8] {
    guard let session else { return bytes }
    do {
      try session.write(bytes)
    } catch {
      throw BenchError("\(error)")
    }
    return session.takeCiphertext()
  }

  /// Responses read ahead (pipelined requests can bring several in one read), oldest first.
  private var ready: [BenchResponse] = []
  private var readyIndex = 0
  private var partialHead: ResponseHead?
  private var partialBody: [UInt8] = []
  /// Bytes read since the last complete response (for the stall message).
  private var pendingBytes = 0

  /// The next response, reading until it is complete. `onFirstByte` is called when the first
  /// bytes of a read that had to wait arrive.
  func receive(onFirstByte: () -> Void = {}) throws(BenchError) -> BenchResponse {
    var first = true
    while readyIndex == ready.count {
      ready.removeAll(keepingCapacity: true)
      readyIndex = 0
      let outcome: ReadOutcome
      do {
        outcome = try Syscall.read(fd, into: buffer)
      } catch {
        throw BenchError("\(error)")
      }
      switch outcome {
      case .bytes(let n):
        pendingBytes += n
        if first {
          first = false
          onFirstByte()
        }
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
        if let session {
          var failure: BenchError?
          let result = try tlsRead(session, bytes, into: plain) { p in
            guard failure == nil else { return }
            do throws(BenchError) {
              try parser.feed(p) { (event) throws(BenchError) in self.collect(event) }
            } catch {
              failure = error
            }
          }
          if let failure { throw failure }
          if result == .closed {
            try parser.finish { (event) throws(BenchError) in self.collect(event) }
            if readyIndex == ready.count {
              throw BenchError("server closed the connection before responding")
            }
          }
        } else {
          try parser.feed(bytes) { (event) throws(BenchError) in self.collect(event) }
        }
      case .endOfFile:
        try parser.finish { (event) throws(BenchError) in self.collect(event) }
        if readyIndex == ready.count {
          throw BenchError("server closed the connection before responding")
        }
      case .wouldBlock:
        // Only SO_RCVTIMEO makes a blocking read return EAGAIN.
        throw BenchError(
          "no bytes from the server for \(readTimeout) s (\(pendingBytes) bytes of the pending response received): the server stalled"
        )
      }
    }
    pendingBytes = 0
    readyIndex += 1
    return ready[readyIndex - 1]
  }

  private func collect(_ event: ResponseEvent) {
    switch event {
    case .head(let h):
      partialHead = h
      // One allocation for a large body (a LIST of 10,000 objects is 15 MiB), not a doubling
      // series of copies timed as part of the response.
      if let n = h.contentLength, n <= 1 << 30 { partialBody.reserveCapacity(n) }
    case .data(let d): partialBody.append(contentsOf: d)
    case .end:
      if let h = partialHead {
        ready.append(BenchResponse(status: h.status, headers: h.headers, body: partialBody))
      }
      partialHead = nil
      partialBody = []
    }
  }

  /// One request and its response.
  func request(
    _ method: String, _ path: String, body: [UInt8]? = nil,
    contentType: String = "application/json"
  ) throws(BenchError) -> BenchResponse {
    try send(
      requestBytes(
        method, path, host: url.authority, body: body, contentType: contentType, token: token))
    return try receive()
  }
}

/// Runs a TLS client handshake on the blocking socket `fd` (the server's certificate must
/// chain to `context`'s CAs and name `serverName`).
func tlsHandshake(_ fd: Int32, _ context: TLSContext, serverName: String) throws(BenchError)
  -> TLSSession
{
  let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 32 << 10, alignment: 16)
  defer { buffer.deallocate() }
  do {
    let session = try TLSSession(client: context, serverName: serverName)
    while try !session.handshake() {
      try writeAll(fd, session.takeCiphertext())
      switch try Syscall.read(fd, into: buffer) {
      case .bytes(let n): session.receive(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
      case .endOfFile: throw BenchError("server closed the connection during the TLS handshake")
      case .wouldBlock: throw BenchError("TLS handshake timed out")
      }
    }
    try writeAll(fd, session.takeCiphertext())  // the client Finished
    return session
  } catch let error as BenchError {
    throw error
  } catch {
    throw BenchError("TLS handshake with \(serverName): \(error)")
  }
}

/// Decrypts `ciphertext` (just read from the socket), handing every plaintext piece to
/// `deliver`: all the records the session can decrypt, so none waits for the next read.
func tlsRead(
  _ session: TLSSession, _ ciphertext: UnsafeRawBufferPointer,
  into plain: UnsafeMutableRawBufferPointer, deliver: (UnsafeRawBufferPointer) -> Void
) throws(BenchError) -> TLSSession.ReadResult {
  do {
    return try session.read(lending: ciphertext, into: plain, deliver: deliver)
  } catch {
    throw BenchError("\(error)")
  }
}

/// Writes all of `bytes` to a blocking socket.
func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(BenchError) {
  var offset = 0
  while offset < bytes.count {
    let outcome: WriteOutcome
    do {
      outcome = try bytes.withUnsafeBytes { (raw) throws(SystemError) -> WriteOutcome in
        var iov = iovec(
          iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + offset),
          iov_len: raw.count - offset)
        return try Syscall.writev(fd, &iov, count: 1)
      }
    } catch {
      throw BenchError("\(error)")
    }
    switch outcome {
    case .bytes(let n): offset += n
    case .wouldBlock:
      var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
      _ = poll(&p, 1, 1000)
    }
  }
}

/// The offset of the first `needle` in `haystack` at or after `from` (memchr on one of its
/// bytes, then a compare; Glibc's memmem is not exported to Swift). `anchor` is the index in
/// `needle` of the byte memchr looks for: a byte rare in the haystack (not a JSON quote) means
/// few false candidates to compare. Candidates are tried in increasing offset order, so the
/// answer is the first occurrence whatever the anchor.
func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from: Int = 0, anchor: Int = 0)
  -> Int?
{
  guard let base = haystack.baseAddress, anchor >= 0, anchor < needle.count else { return nil }
  let key = Int32(needle[anchor])
  let last = haystack.count - needle.count
  return needle.withUnsafeBytes { n -> Int? in
    var i = from
    while i <= last {
      guard let hit = memchr(base + i + anchor, key, last - i + 1) else { return nil }
      let at = base.distance(to: UnsafeRawPointer(hit)) - anchor
      if memcmp(base + at, n.baseAddress!, n.count) == 0 { return at }
      i = at + 1
    }
    return nil
  }
}
