import Dispatch
import Sockets
import Synchronization

/// State shared by all loops of one server: configuration, handler, the connection count.
final class ServerCore: Sendable {
  let configuration: ServerConfiguration
  let handler: any HTTPHandler
  /// `handler`, boxed once for the connections.
  let handlerBox: HandlerBox
  let logger: @Sendable (String) -> Void
  private let activeConnections = Atomic<Int>(0)

  init(
    configuration: ServerConfiguration, handler: any HTTPHandler,
    logger: @escaping @Sendable (String) -> Void
  ) {
    self.configuration = configuration
    self.handler = handler
    handlerBox = HandlerBox.make(handler)
    self.logger = logger
  }

  func log(_ message: String) { logger(message) }

  /// Takes a connection slot; false when the server is at `maxConnections`.
  func acquireConnectionSlot() -> Bool {
    let after = activeConnections.add(1, ordering: .relaxed).newValue
    if after > configuration.maxConnections {
      activeConnections.subtract(1, ordering: .relaxed)
      return false
    }
    return true
  }

  func releaseConnectionSlot() {
    activeConnections.subtract(1, ordering: .relaxed)
  }

  var connectionCount: Int { activeConnections.load(ordering: .relaxed) }
}

/// The HTTP/1.1 server: one epoll loop per configured thread, each with its own
/// `SO_REUSEPORT` listener on the same address, so connections stay on the loop that
/// accepted them. `start()` binds and runs; `shutdown()` drains gracefully.
public final class HTTPServer: Sendable {
  private let core: ServerCore
  private let state = Mutex<(contexts: [LoopContext], running: Int, shuttingDown: Bool)>(
    ([], 0, false))
  private let stoppedSignal = DispatchSemaphore(value: 0)

  public init(
    configuration: ServerConfiguration, handler: any HTTPHandler,
    logger: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    core = ServerCore(configuration: configuration, handler: handler, logger: logger)
  }

  /// Binds every loop's listener and starts the loops. Returns the bound address (its port is
  /// the real one when 0 was asked for).
  @discardableResult
  public func start() throws(SystemError) -> SocketAddress {
    let configuration = core.configuration
    let requested = try SocketAddress(host: configuration.bindAddress, port: configuration.port)
    let loopCount = max(1, configuration.eventLoops)
    if requested.port != 0 && loopCount > 1 {
      // SO_REUSEPORT would let us share a port another process (even another itsd) holds:
      // bind once without it first, so a taken port fails here with EADDRINUSE.
      try Listener(address: requested, reusePort: false, backlog: 1).close()
    }
    let first = try Listener(address: requested, reusePort: loopCount > 1)
    let bound = try SocketAddress(host: configuration.bindAddress, port: first.port)
    var listeners = [first]
    for _ in 1..<loopCount {
      listeners.append(try Listener(address: bound, reusePort: true))
    }
    var contexts: [LoopContext] = []
    for (i, listener) in listeners.enumerated() {
      let loop = try EventLoop(index: i)
      let context = LoopContext(loop: loop, core: core)
      context.attach(listener)
      loop.onStop = { [weak self] in self?.loopStopped() }
      contexts.append(context)
    }
    state.withLock {
      $0.contexts = contexts
      $0.running = contexts.count
    }
    for context in contexts { context.loop.start() }
    return bound
  }

  /// Open connections right now, across all loops.
  public var connectionCount: Int { core.connectionCount }

  /// Stops accepting, lets in-flight requests finish, ends streaming responses with their final
  /// chunk and closes idle connections; after `shutdownTimeoutMillis` closes whatever is left.
  /// Returns at once; `waitUntilStopped()` blocks until every loop has exited.
  public func shutdown() {
    let contexts: [LoopContext]? = state.withLock {
      if $0.shuttingDown { return nil }
      $0.shuttingDown = true
      return $0.contexts
    }
    guard let contexts else { return }
    for context in contexts {
      context.loop.execute { context.beginDrain() }
    }
    let deadline = DispatchTime.now() + .milliseconds(Int(core.configuration.shutdownTimeoutMillis))
    DispatchQueue.global().asyncAfter(deadline: deadline) {
      for context in contexts {
        context.loop.execute { context.forceClose() }
      }
    }
  }

  /// Blocks until every event loop has stopped (after `shutdown()`).
  public func waitUntilStopped() {
    stoppedSignal.wait()
    stoppedSignal.signal()
  }

  private func loopStopped() {
    let remaining = state.withLock { s -> Int in
      s.running -= 1
      return s.running
    }
    if remaining == 0 { stoppedSignal.signal() }
  }
}
