import CLinuxShims
import Certificates
import HTTP1
import Sockets

/// One client connection: parses requests, calls the handler, writes responses in order,
/// streams chunked bodies with a bounded output buffer, enforces the per-connection timeouts.
///
/// Confined to its loop's thread; `@unchecked Sendable` only so that tasks posted to that loop
/// (stream pumps, deferred responses) can carry it. Invariants: at most one response is in
/// progress (`exchange`); requests pipelined behind it wait in the parser; after `closed` no
/// system call touches `fd` again.
final class Connection: EventLoopChannel, ReadyChannel, @unchecked Sendable {
  /// The response in progress, if it is not a plain one (plain ones complete at once).
  private enum Exchange {
    case none
    case streaming(ResponseStream, chunked: Bool)
    case deferred
  }

  /// What the response needs to remember about its request.
  private struct RequestInfo {
    var isHead = false
    var http10 = false
    var acceptsGzip = false
  }

  let fd: Int32
  let peer: String
  /// The host part of `peer`, worked out once for every request's `RequestContext`.
  let peerHost: String
  /// Strong: the context outlives every connection it holds anyway (`close()` removes the
  /// connection from it), and a strong `let` is read without reference counting, where an
  /// `unowned` one costs a checked retain and a release at every use.
  let context: LoopContext
  /// The server's handler, read once per connection instead of once per request (boxed: see
  /// `HandlerBox`).
  private let handler: HandlerBox
  private let maxOutputBufferBytes: Int
  private let maxHeadBytes: Int
  private var token: UInt64 = 0
  /// Exclusivity is not checked at run time (two checks per request): every access is one call
  /// into `RequestParser` on the loop thread, which has no callbacks and cannot reach back into
  /// this connection, so no access can begin while another is in progress.
  @exclusivity(unchecked) private var parser: RequestParser
  /// Not checked at run time either (one to three checks per request): every access is a call
  /// into `OutputQueue` (or `TLSTransport.flush`, or a swap with a `StreamSink`) on the loop
  /// thread, and none of them can reach this connection, so accesses never overlap.
  @exclusivity(unchecked) private var output = OutputQueue()
  private var exchange = Exchange.none
  private var request = RequestInfo()
  private var keepAlive = true
  private var closeAfterFlush = false
  private var lingering = false
  private var lingerDeadline: Int64 = 0
  private var readPaused = false
  private var wantWrite = false
  private var interest: UInt32 = 0
  private(set) var closed = false
  private var headStartedAt: Int64
  private var lastReadAt: Int64
  private var lastWriteAt: Int64
  /// The TLS layer when the server is configured for TLS (nil: plain HTTP).
  private let tls: TLSTransport?
  /// TLS was configured but the session could not be created: refuse the connection.
  private let tlsUnavailable: Bool

  private static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
  /// Lingering close: how long we keep reading (and discarding) after our last response, so
  /// unread request bytes do not turn our FIN into a reset that destroys that response.
  private static let lingerMillis: Int64 = 2_000

  init(fd: Int32, peer: String, context: LoopContext) {
    self.fd = fd
    self.peer = peer
    peerHost = RequestContext.host(of: peer)
    self.context = context
    handler = context.core.handlerBox
    maxOutputBufferBytes = context.core.configuration.maxOutputBufferBytes
    maxHeadBytes = context.core.configuration.parserLimits.maxHeadBytes
    parser = RequestParser(limits: context.core.configuration.parserLimits)
    headStartedAt = context.now
    lastReadAt = context.now
    lastWriteAt = context.now
    if let tlsContext = context.core.configuration.tls {
      tls = try? TLSTransport(context: tlsContext)
      tlsUnavailable = tls == nil
    } else {
      tls = nil
      tlsUnavailable = false
    }
  }

  private var configuration: ServerConfiguration { context.core.configuration }

  func register() -> Bool {
    if tlsUnavailable { return false }
    interest = ITS_EPOLLIN | ITS_EPOLLRDHUP
    guard let t = context.loop.register(self, fd: fd, events: interest) else { return false }
    token = t
    return true
  }

  // MARK: Events

  func handleEvents(_ events: UInt32) {
    if events & (ITS_EPOLLIN | ITS_EPOLLHUP | ITS_EPOLLERR | ITS_EPOLLRDHUP) != 0 {
      if readPaused && !lingering && events & (ITS_EPOLLHUP | ITS_EPOLLERR | ITS_EPOLLRDHUP) != 0 {
        close()
        return
      }
      if !readPaused { readAvailable() }
    }
    if !closed && events & ITS_EPOLLOUT != 0 { flush() }
  }

  private func readAvailable() {
    // TLS: ciphertext in the first half of the loop's buffer, plaintext in the second.
    let whole = context.readBuffer
    let buffer =
      tls == nil ? whole : UnsafeMutableRawBufferPointer(rebasing: whole[..<(whole.count / 2)])
    for _ in 0..<8 {
      let outcome: ReadOutcome
      do {
        outcome = try Syscall.read(fd, into: buffer)
      } catch {
        close()
        return
      }
      switch outcome {
      case .wouldBlock:
        processRequests()
        return
      case .endOfFile:
        processRequests()
        peerClosed()
        return
      case .bytes(let n):
        if lingering { continue }
        let now = monotonicMilliseconds()
        context.now = now
        lastReadAt = now
        if let tls {
          guard receiveTLS(tls, UnsafeRawBufferPointer(rebasing: buffer[0..<n]), now: now) else {
            return
          }
        } else {
          if parser.phase == .idle { headStartedAt = now }
          parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        if n < buffer.count {
          processRequests()
          return
        }
      }
    }
    processRequests()
  }

  /// TLS: decrypts what arrived into the parser. False when reading must stop (the client
  /// ended the session, the handshake failed, or it spoke plain HTTP).
  private func receiveTLS(_ tls: TLSTransport, _ bytes: UnsafeRawBufferPointer, now: Int64) -> Bool
  {
    let whole = context.readBuffer
    let plaintextScratch = UnsafeMutableRawBufferPointer(rebasing: whole[(whole.count / 2)...])
    let input = tls.receive(bytes, scratch: plaintextScratch) { plaintext in
      if parser.phase == .idle { headStartedAt = now }
      parser.append(plaintext)
    }
    switch input {
    case .open:
      return true
    case .closed:
      processRequests()
      peerClosed()
    case .failed:
      tls.sendPendingAlert(fd: fd)
      close()
    case .plainHTTP:
      keepAlive = false
      closeAfterFlush = true
      flush()
    }
    return false
  }

  /// The client closed its side.
  private func peerClosed() {
    guard !closed else { return }
    switch exchange {
    case .streaming:
      close()
    case .deferred:
      keepAlive = false
      closeAfterFlush = true
      readPaused = true
      updateInterest()
    case .none:
      if lingering || output.isEmpty {
        close()
      } else {
        closeAfterFlush = true
        readPaused = true
        updateInterest()
      }
    }
  }

  // MARK: Requests

  /// Serves every complete request buffered, in order, until one leaves a response in progress.
  private func processRequests() {
    while !closed && !closeAfterFlush && !lingering {
      guard case .none = exchange else { break }
      if output.byteCount > maxOutputBufferBytes {
        // The client pipelines faster than it reads: stop reading until it catches up.
        readPaused = true
        break
      }
      let request: HTTPRequest?
      do {
        request = try parser.nextRequest()
      } catch {
        sendError(
          status: error.status, message: error.message, extraHeaders: [])
        break
      }
      guard let request else {
        if parser.takeContinueExpected() { output.append(Self.continueBytes) }
        break
      }
      serve(request)
      headStartedAt = context.now
    }
    if case .none = exchange {
    } else if parser.bufferedByteCount > maxHeadBytes {
      // Pipelined bytes behind a long response: stop reading until it ends.
      readPaused = true
    }
    flush()
  }

  private func serve(_ req: HTTPRequest) {
    request = RequestInfo(
      // Lengths first: comparing "GET" with "HEAD" outright takes the slow string path.
      isHead: req.head.method.utf8.count == 4 && req.head.method == "HEAD",
      http10: req.head.version == .http1_0)
    keepAlive = req.head.keepAlive && !context.draining
    let response = handler.handle(
      req,
      context: RequestContext(
        remoteAddress: peer, loopIndex: context.loop.index, tlsPeer: tls?.peer,
        remoteHost: peerHost))
    if Self.mayCompress(response.body) {
      request.acceptsGzip = Gzip.accepted(by: req.head.headers["Accept-Encoding"])
    }
    send(response)
  }

  /// Whether `body` may reach `Gzip.thresholdBytes` (only then is `Accept-Encoding` looked up):
  /// a small body known now is never compressed, nor is a stream.
  private static func mayCompress(_ body: HTTPResponse.Body) -> Bool {
    switch body {
    case .bytes(let bytes): return bytes.count >= Gzip.thresholdBytes
    case .parts, .deferred: return true
    case .stream: return false
    }
  }

  private func send(_ response: HTTPResponse) {
    switch response.body {
    case .bytes(let body):
      sendComplete(response, body: body)
    case .parts(let parts):
      sendComplete(response, parts: parts)
    case .stream(let start):
      startStream(response, start: start)
    case .deferred(let produce):
      exchange = .deferred
      let responder = Responder { [self] response in
        context.loop.execute { self.completeDeferred(response) }
      }
      produce(responder)
    }
  }

  /// `response` with its body, `body`, known now.
  private func sendComplete(_ response: HTTPResponse, body: [UInt8]) {
    var body = body
    var gzipped = false
    if request.acceptsGzip && body.count >= Gzip.thresholdBytes
      && !response.otherHeaders.contains(where: {
        asciiCaseInsensitiveEquals($0.0, "Content-Encoding")
      }),
      let compressed = Gzip.compress(body)
    {
      body = compressed
      gzipped = true
    }
    queueHead(
      response, gzipped: gzipped, framing: .length(body.count), body: request.isHead ? [] : body,
      last: true)
    if !keepAlive { closeAfterFlush = true }
  }

  /// A body in shared segments: queued as they are (joined only to be gzipped).
  private func sendComplete(_ response: HTTPResponse, parts: [[UInt8]]) {
    let length = parts.reduce(0) { $0 + $1.count }
    if request.acceptsGzip && length >= Gzip.thresholdBytes {
      sendComplete(response, body: HTTPResponse.Body.join(parts))
      return
    }
    queueHead(response, gzipped: false, framing: .length(length))
    if !request.isHead { output.append(contentsOf: parts) }
    if !keepAlive { closeAfterFlush = true }
  }

  /// How a response head delimits its body.
  private enum HeadFraming {
    /// `Content-Length`.
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
    /// Neither: the body ends when the connection does (an HTTP/1.0 stream).
    case untilClose
  }

  /// Writes the head of `response` in a stack buffer and queues a copy of it, then `body`: the
  /// status line, `Content-Type`, the handler's other fields, the gzip fields, the framing field,
  /// then the fields every response carries (`Date`, and `Connection` when needed).
  ///
  /// When `body` ends the response (`last`), nothing is queued before it and no pipelined
  /// request waits behind it (whose response would share the write), head and body go to the
  /// socket at once from where they are (`OutputQueue.writeOrQueue`): only what it does not
  /// take is queued. This skips copying the head into the queue, queueing the body and the
  /// queue's later `write` (same bytes, same single `writev`).
  private func queueHead(
    _ response: HTTPResponse, gzipped: Bool, framing: HeadFraming, body: [UInt8] = [],
    last: Bool = false
  ) {
    withUnsafeTemporaryAllocation(byteCount: Self.headBufferBytes, alignment: 1) { buffer in
      var head = ResponseHeadWriter(buffer: buffer)
      head.statusLine(response.status)
      if response.hasContentType { head.field("Content-Type", response.contentType) }
      for (name, value) in response.otherHeaders { head.field(name, value) }
      if gzipped {
        head.field("Content-Encoding", "gzip")
        head.field("Vary", "Accept-Encoding")
      }
      switch framing {
      case .length(let length): head.contentLength(length)
      case .chunked: head.field("Transfer-Encoding", "chunked")
      case .untilClose: break
      }
      context.date.field.withUnsafeBytes { head.append($0) }
      if !keepAlive {
        head.field("Connection", "close")
      } else if request.http10 {
        head.field("Connection", "keep-alive")
      }
      head.end()
      head.withBytes { bytes in
        if last && tls == nil && output.isEmpty && parser.bufferedByteCount == 0 {
          if output.writeOrQueue(head: bytes, body: body, to: fd) { lastWriteAt = context.now }
        } else {
          output.appendCopy(bytes)
          output.append(body)
        }
      }
    }
  }

  /// Room for a response head on the stack (the standard library allocates at most 1 KiB there
  /// unconditionally; above that it checks, and may use the heap). A larger head spills into an
  /// array.
  private static let headBufferBytes = 1024

  /// Answers an error the HTTP layer detected itself, then closes.
  private func sendError(status: Int, message: String, extraHeaders: [(String, String)]) {
    keepAlive = false
    request = RequestInfo()
    let body = StatusBody.failure(
      code: status, reason: StatusBody.reason(for: status), message: message)
    sendComplete(
      HTTPResponse(
        status: status, contentType: "application/json", body: body, headers: extraHeaders),
      body: body)
  }

  private func completeDeferred(_ response: HTTPResponse) {
    guard !closed, case .deferred = exchange else { return }
    exchange = .none
    if case .deferred = response.body {
      sendError(
        status: 500, message: "Internal error occurred: nested deferred response", extraHeaders: [])
    } else {
      send(response)
    }
    processRequests()
  }

  // MARK: Streaming

  private func startStream(_ response: HTTPResponse, start: @Sendable (ResponseStream) -> Void) {
    let chunked = !request.http10
    if !chunked {
      keepAlive = false  // HTTP/1.0: the body ends when the connection does
    }
    queueHead(response, gzipped: false, framing: chunked ? .chunked : .untilClose)
    if request.isHead {
      if !keepAlive { closeAfterFlush = true }
      return
    }
    let loop = context.loop
    let stream = ResponseStream(maxPendingBytes: maxOutputBufferBytes) { [self] in
      loop.schedule(self)
    }
    exchange = .streaming(stream, chunked: chunked)
    flush()
    start(stream)
  }

  /// The stream's producer has something (scheduled by `ResponseStream`).
  func runWhenReady() { pumpStream() }

  /// Moves what the producer has into the output queue (loop thread).
  private func pumpStream() {
    guard !closed, case .streaming(let stream, let chunked) = exchange else { return }
    if stream.endReason != nil {
      endStreamResponse(chunked: chunked)
      return
    }
    var sink = StreamSink(chunked: chunked, context: context)
    swap(&sink.output, &output)
    let finish = stream.take(into: &sink)
    swap(&sink.output, &output)
    if finish {
      stream.end(.finished)
      endStreamResponse(chunked: chunked)
    } else if output.byteCount > maxOutputBufferBytes {
      stream.end(.consumerTooSlow)
      endStreamResponse(chunked: chunked)
    } else {
      flush()
    }
  }

  /// Ends the current streaming response cleanly (final chunk) and moves on.
  private func endStreamResponse(chunked: Bool) {
    exchange = .none
    if chunked { output.append(ResponseEncoder.lastChunk) } else { closeAfterFlush = true }
    if !keepAlive { closeAfterFlush = true }
    readPaused = false
    processRequests()
  }

  // MARK: Output

  private func flush() {
    guard !closed else { return }
    if !output.isEmpty || tls?.hasPendingOutput == true {
      do {
        let before = output.byteCount + (tls?.pendingOutputCount ?? 0)
        let done: Bool
        if let tls {
          done = try tls.flush(&output, fd: fd, scratch: context.readBuffer)
        } else {
          done = try output.write(to: fd)
        }
        if output.byteCount + (tls?.pendingOutputCount ?? 0) != before {
          lastWriteAt = context.now
        }
        wantWrite = !done
      } catch {
        close()
        return
      }
    } else {
      wantWrite = false
    }
    if !wantWrite {
      if case .none = exchange {
        if closeAfterFlush {
          startLingeringClose()
          return
        }
        if readPaused {
          readPaused = false
          updateInterest()
          processRequests()
          return
        }
      }
    }
    updateInterest()
  }

  private func updateInterest() {
    guard !closed else { return }
    var wanted = ITS_EPOLLRDHUP
    if !readPaused { wanted |= ITS_EPOLLIN }
    if wantWrite { wanted |= ITS_EPOLLOUT }
    if wanted != interest {
      interest = wanted
      context.loop.modify(fd: fd, token: token, events: wanted)
    }
  }

  /// Our last response is out: send FIN, then read and discard until the client closes (or a
  /// short deadline passes), so its unread bytes cannot make the kernel reset the connection.
  private func startLingeringClose() {
    guard !lingering else { return }
    lingering = true
    lingerDeadline = context.now + Self.lingerMillis
    tls?.sendCloseNotify(fd: fd)
    Syscall.shutdownWrite(fd)
    readPaused = false
    wantWrite = false
    updateInterest()
  }

  /// Releases the connection. Idempotent.
  func close() {
    guard !closed else { return }
    closed = true
    if case .streaming(let stream, _) = exchange { stream.end(.clientClosed) }
    exchange = .none
    output.removeAll()
    context.loop.deregister(fd: fd, token: token)
    Syscall.close(fd)
    context.core.releaseConnectionSlot()
    context.remove(self)
  }

  // MARK: Timeouts and shutdown

  func checkTimeouts(now: Int64) {
    guard !closed else { return }
    if lingering {
      if now >= lingerDeadline { close() }
      return
    }
    if (!output.isEmpty || wantWrite) && now - lastWriteAt > configuration.idleTimeoutMillis {
      close()  // the client stopped reading
      return
    }
    if let tls {
      if !tls.isEstablished {
        // The handshake shares the request head's deadline; there is no HTTP to answer yet.
        if now - headStartedAt > configuration.requestHeadTimeoutMillis { close() }
        return
      }
      if now - max(lastReadAt, lastWriteAt) >= 1_000 { tls.releaseIdleBuffers() }
    }
    switch exchange {
    case .streaming, .deferred:
      return  // long-lived responses (watches) are bounded by their own timeouts
    case .none:
      break
    }
    if readPaused { return }
    switch parser.phase {
    case .head:
      if now - headStartedAt > configuration.requestHeadTimeoutMillis {
        sendError(status: 408, message: "request head not received in time", extraHeaders: [])
        flush()
      }
    case .body:
      if now - lastReadAt > configuration.requestBodyTimeoutMillis {
        sendError(status: 408, message: "request body stalled", extraHeaders: [])
        flush()
      }
    case .idle:
      if output.isEmpty && now - max(lastReadAt, lastWriteAt) > configuration.idleTimeoutMillis {
        close()
      }
    }
  }

  /// Graceful shutdown: finish what is in flight, end streams with their final chunk, close
  /// idle connections now.
  func drain() {
    guard !closed, !lingering else { return }
    keepAlive = false
    switch exchange {
    case .streaming(let stream, let chunked):
      stream.end(.serverShutdown)
      endStreamResponse(chunked: chunked)
    case .deferred:
      break
    case .none:
      if parser.phase == .idle && output.isEmpty {
        close()
      } else if !output.isEmpty {
        closeAfterFlush = true
      }
    }
  }
}
