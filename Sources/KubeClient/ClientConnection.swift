import CLinuxShims
import Sockets

#if canImport(Glibc)
  import Glibc
#endif

/// Receives a streamed response (watches): the head, body bytes as they arrive, the end.
/// Called on the connection's loop thread.
protocol StreamReceiver: AnyObject {
  func streamHead(status: Int, headers: [(name: String, value: String)])
  /// Body bytes, valid only during the call.
  func streamBody(_ bytes: UnsafeRawBufferPointer)
  /// The response ended (`nil`) or the connection failed.
  func streamEnded(_ error: ClientError?)
}

/// One request on a connection and where its response goes.
final class Exchange {
  enum Sink {
    case buffered((ClientResult) -> Void)
    case stream(StreamReceiver)
  }

  let request: ClientRequest
  let sink: Sink
  /// Attempts made so far (a request that died unanswered on a reused connection is retried once).
  var attempts = 0
  var status = 0
  var headers: [(name: String, value: String)] = []
  var body: [UInt8] = []

  init(request: ClientRequest, sink: Sink) {
    self.request = request
    self.sink = sink
  }

  func fail(_ error: ClientError) {
    switch sink {
    case .buffered(let completion): completion(.failure(error))
    case .stream(let receiver): receiver.streamEnded(error)
    }
  }
}

/// One HTTP/1.1 client connection on a loop: non-blocking connect, one exchange at a time
/// (no pipelining), keep-alive. Confined to its loop's thread.
///
/// Invariants: `exchange` is nil exactly when the connection is idle; once `closed`, the
/// descriptor is released and no callback fires again.
final class ClientConnection: ClientChannel {
  unowned let loop: ClientLoop
  let fd: Int32
  private var token: UInt64 = 0
  private let transportFactory: ClientTransportFactory
  private let serverName: String
  private let authority: String
  private let fixedHeaders: String
  private var transport: ClientTransport?
  private var parser = ResponseParser()
  private var out: [UInt8] = []
  private var outOffset = 0
  private var interest: UInt32 = 0
  private(set) var exchange: Exchange?
  private var exchangeSerial: UInt64 = 0
  private var responseBytes = 0
  private var keepAlive = true
  private(set) var closed = false
  /// True once at least one response completed on this connection.
  private(set) var reused = false
  /// Called when an exchange finished and the connection can take another one.
  var onIdle: ((ClientConnection) -> Void)?
  /// Called once when the connection closes.
  var onClose: ((ClientConnection) -> Void)?
  /// Called with an exchange that failed before any response byte on a reused connection
  /// (the server closed an idle keep-alive connection as the request went out): retry it.
  var onRetry: ((Exchange) -> Void)?

  init(
    loop: ClientLoop, address: ResolvedAddress, serverName: String, authority: String,
    fixedHeaders: String, transportFactory: ClientTransportFactory
  ) throws(ClientError) {
    self.loop = loop
    self.serverName = serverName
    self.authority = authority
    self.fixedHeaders = fixedHeaders
    self.transportFactory = transportFactory
    fd = try address.startConnect()
    interest = ITS_EPOLLIN | ITS_EPOLLOUT | ITS_EPOLLRDHUP
    guard let t = loop.register(self, fd: fd, events: interest) else {
      Syscall.close(fd)
      throw ClientError.connectFailed("epoll_ctl failed")
    }
    token = t
  }

  var isIdle: Bool { exchange == nil && !closed }

  /// Starts `exchange` on this idle connection, with an optional response deadline.
  func start(_ exchange: Exchange, timeoutNanos: UInt64?) {
    precondition(self.exchange == nil && !closed)
    self.exchange = exchange
    exchange.attempts += 1
    exchangeSerial += 1
    responseBytes = 0
    let bytes = exchange.request.encoded(authority: authority, fixedHeaders: fixedHeaders)
    if outOffset == out.count {
      out = bytes
      outOffset = 0
    } else {
      out.append(contentsOf: bytes)
    }
    if let timeoutNanos {
      let serial = exchangeSerial
      loop.schedule(afterNanos: timeoutNanos) { [weak self] in
        guard let self, !self.closed, self.exchangeSerial == serial, self.exchange != nil else {
          return
        }
        self.close(failing: .timedOut)
      }
    }
    if transport != nil { flush() }
  }

  func handleEvents(_ events: UInt32) {
    if closed { return }
    if transport == nil {
      if events & (ITS_EPOLLOUT | ITS_EPOLLERR | ITS_EPOLLHUP) == 0 { return }
      let err = socketError(fd)
      guard err == 0 else {
        close(failing: .connectFailed("\(SystemError("connect", errno: err))"))
        return
      }
      do {
        transport = try transportFactory.makeTransport(fd: fd, serverName: serverName)
      } catch {
        close(failing: error)
        return
      }
      flush()
      return
    }
    if events & (ITS_EPOLLIN | ITS_EPOLLERR | ITS_EPOLLHUP | ITS_EPOLLRDHUP) != 0 {
      readAvailable()
    }
    if !closed && events & ITS_EPOLLOUT != 0 { flush() }
  }

  func loopStopped() { close(failing: .shutDown) }

  private func flush() {
    guard let transport, !closed else { return }
    do {
      try transport.flushPending()
    } catch {
      close(failing: error)
      return
    }
    while outOffset < out.count {
      let outcome: WriteOutcome
      do {
        let offset = outOffset
        outcome = try out.withUnsafeBytes { (raw) throws(ClientError) -> WriteOutcome in
          try transport.write(UnsafeRawBufferPointer(rebasing: raw[offset...]))
        }
      } catch let error as ClientError {
        close(failing: error)
        return
      } catch {
        close(failing: .connectionLost("\(error)"))
        return
      }
      switch outcome {
      case .bytes(let n): outOffset += n
      case .wouldBlock:
        updateInterest()
        return
      }
    }
    out.removeAll(keepingCapacity: out.capacity <= 64 << 10)
    outOffset = 0
    updateInterest()
  }

  private func updateInterest() {
    var wanted = ITS_EPOLLIN | ITS_EPOLLRDHUP
    if outOffset < out.count || transport?.wantsWritable == true { wanted |= ITS_EPOLLOUT }
    if wanted != interest {
      interest = wanted
      loop.modify(fd: fd, token: token, events: wanted)
    }
  }

  private func readAvailable() {
    guard let transport else { return }
    let buffer = loop.readBuffer
    for _ in 0..<16 {
      let outcome: ReadOutcome
      do {
        outcome = try transport.read(into: buffer)
      } catch {
        close(failing: error)
        return
      }
      switch outcome {
      case .bytes(let n):
        responseBytes += n
        do {
          // The parser is a local copy while it runs: `deliver` may start the next exchange
          // or close the connection, and must not overlap an access to `self.parser`.
          var p = ResponseParser()
          swap(&p, &parser)
          defer { swap(&p, &parser) }
          try p.feed(
            UnsafeRawBufferPointer(rebasing: buffer[0..<n]),
            headRequest: exchange?.request.method == "HEAD"
          ) { event in self.deliver(event) }
        } catch {
          close(failing: error)
          return
        }
        if closed { return }
      case .endOfFile:
        do {
          var p = ResponseParser()
          swap(&p, &parser)
          defer { swap(&p, &parser) }
          try p.finish { event in self.deliver(event) }
        } catch {
          close(failing: error)
          return
        }
        close(failing: .connectionLost("server closed the connection"))
        return
      case .wouldBlock:
        if transport.wantsWritable { updateInterest() }
        return
      }
    }
  }

  private func deliver(_ event: ResponseParserEvent) {
    guard let exchange else {
      // Bytes nobody asked for: the connection is out of step.
      return
    }
    switch event {
    case .head(let status, let headers, let keepAlive):
      exchange.status = status
      exchange.headers = headers
      self.keepAlive = keepAlive
      if case .stream(let receiver) = exchange.sink {
        receiver.streamHead(status: status, headers: headers)
      }
    case .body(let bytes):
      switch exchange.sink {
      case .buffered: exchange.body.append(contentsOf: bytes)
      case .stream(let receiver): receiver.streamBody(bytes)
      }
    case .end:
      self.exchange = nil
      reused = true
      let response = ClientResponse(
        status: exchange.status, headers: exchange.headers, body: exchange.body)
      if !keepAlive { close(failing: nil) }
      switch exchange.sink {
      case .buffered(let completion): completion(.success(response))
      case .stream(let receiver): receiver.streamEnded(nil)
      }
      if !closed { onIdle?(self) }
    }
  }

  /// Closes the descriptor; an exchange still in flight fails with `error` (or is handed to
  /// `onRetry` when it died unanswered on a reused connection).
  func close(failing error: ClientError?) {
    if closed { return }
    closed = true
    loop.deregister(fd: fd, token: token)
    transport?.close()
    Syscall.close(fd)
    let pending = exchange
    exchange = nil
    if let pending {
      let retryable =
        reused && responseBytes == 0 && pending.attempts < 2 && onRetry != nil
        && error != .shutDown && error != .timedOut
      if retryable, let onRetry {
        onRetry(pending)
      } else {
        pending.fail(error ?? .connectionLost("connection closed"))
      }
    }
    onClose?(self)
  }
}
