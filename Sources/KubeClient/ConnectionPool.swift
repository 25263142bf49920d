/// A loop's bounded set of keep-alive connections for unary requests: idle connections are
/// reused (most recently used first), new ones are opened up to `limit`, and requests beyond
/// that wait in FIFO order. Confined to its loop's thread.
///
/// Invariant: `open` counts connections not yet closed (idle or busy); `open <= limit`.
final class ConnectionPool {
  unowned let loop: ClientLoop
  let limit: Int
  let timeoutNanos: UInt64
  private let connect: (ClientLoop) throws(ClientError) -> ClientConnection
  private var idle: [ClientConnection] = []
  private var waiting: [Exchange] = []
  private var waitingHead = 0
  private(set) var open = 0
  private var stopped = false

  init(
    loop: ClientLoop, limit: Int, timeoutNanos: UInt64,
    connect: @escaping (ClientLoop) throws(ClientError) -> ClientConnection
  ) {
    self.loop = loop
    self.limit = max(1, limit)
    self.timeoutNanos = timeoutNanos
    self.connect = connect
  }

  /// Requests waiting for a connection.
  var queued: Int { waiting.count - waitingHead }

  func submit(_ exchange: Exchange) {
    if stopped {
      exchange.fail(.shutDown)
      return
    }
    while let c = idle.popLast() {
      if c.isIdle {
        c.start(exchange, timeoutNanos: timeoutNanos)
        return
      }
    }
    if open < limit {
      do {
        let c = try connect(loop)
        open += 1
        c.onIdle = { [unowned self] c in self.connectionIdle(c) }
        c.onClose = { [unowned self] c in self.connectionClosed(c) }
        c.onRetry = { [unowned self] e in self.submit(e) }
        c.start(exchange, timeoutNanos: timeoutNanos)
      } catch {
        exchange.fail(error)
      }
      return
    }
    waiting.append(exchange)
  }

  private func nextWaiting() -> Exchange? {
    guard waitingHead < waiting.count else { return nil }
    let e = waiting[waitingHead]
    waitingHead += 1
    if waitingHead > 1024 && waitingHead * 2 > waiting.count {
      waiting.removeFirst(waitingHead)
      waitingHead = 0
    }
    return e
  }

  private func connectionIdle(_ c: ClientConnection) {
    if let next = nextWaiting() {
      c.start(next, timeoutNanos: timeoutNanos)
    } else {
      idle.append(c)
    }
  }

  private func connectionClosed(_ c: ClientConnection) {
    open -= 1
    if let i = idle.firstIndex(where: { $0 === c }) { idle.remove(at: i) }
    if !stopped, let next = nextWaiting() { submit(next) }
  }

  func shutDown() {
    stopped = true
    for c in idle { c.close(failing: .shutDown) }
    idle.removeAll()
    while let e = nextWaiting() { e.fail(.shutDown) }
  }
}
