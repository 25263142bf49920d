import Sockets

#if canImport(Glibc)
  import Glibc
#endif

/// Everything one event loop owns: its listener, its connections, a shared read buffer and the
/// cached `Date` header. Loop-confined (`@unchecked Sendable` only so tasks can carry it).
final class LoopContext: @unchecked Sendable {
  let loop: EventLoop
  let core: ServerCore
  var connections: [ObjectIdentifier: Connection] = [:]
  /// One read buffer per loop: reads are copied into a connection's parser right away.
  let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
  var date = HTTPDate()
  var now: Int64 = monotonicMilliseconds()
  /// Chunk-size lines (`<hex>\r\n`) by size: a watch frame goes to every watcher with the
  /// same size, so its line is built once per loop and shared, not allocated per watcher.
  private var chunkHeaders: [Int: [UInt8]] = [:]
  private(set) var draining = false
  private var listenerChannel: ListenerChannel?
  private var stopped = false

  init(loop: EventLoop, core: ServerCore) {
    self.loop = loop
    self.core = core
    date = Self.refreshed(date)
    loop.tick = { [unowned self] in self.tick() }
  }

  deinit { readBuffer.deallocate() }

  /// `date` refreshed. `date` is only ever read or assigned whole, never mutated in place
  /// across a call, so the optimizer can prove its accesses never overlap and drops their
  /// run-time exclusivity checks (one per response head).
  private static func refreshed(_ date: HTTPDate) -> HTTPDate {
    var date = date
    date.refresh()
    return date
  }

  /// Registers the listener (before the loop thread starts, or on it).
  func attach(_ listener: Listener) {
    let channel = ListenerChannel(listener: listener, context: self)
    channel.token = loop.register(channel, fd: listener.fd, events: ITS_EPOLLIN) ?? 0
    listenerChannel = channel
  }

  /// The chunk-size line for a chunk of `size` bytes.
  func chunkHeader(_ size: Int) -> [UInt8] {
    if let cached = chunkHeaders[size] { return cached }
    var line: [UInt8] = []
    ChunkFraming.appendSizeLine(size, to: &line)
    if chunkHeaders.count >= 4096 { chunkHeaders.removeAll(keepingCapacity: true) }
    chunkHeaders[size] = line
    return line
  }

  func add(_ connection: Connection) {
    connections[ObjectIdentifier(connection)] = connection
  }

  func remove(_ connection: Connection) {
    connections[ObjectIdentifier(connection)] = nil
    if draining && connections.isEmpty { stop() }
  }

  /// Once a second: refresh the Date header, enforce timeouts, resume a paused listener.
  private func tick() {
    now = monotonicMilliseconds()
    date = Self.refreshed(date)
    listenerChannel?.resumeIfPaused()
    for connection in Array(connections.values) { connection.checkTimeouts(now: now) }
  }

  /// Graceful shutdown of this loop: stop accepting, end streams, let in-flight requests
  /// finish, close idle connections; the loop stops when its last connection closes.
  func beginDrain() {
    guard !draining else { return }
    draining = true
    listenerChannel?.close()
    listenerChannel = nil
    for connection in Array(connections.values) { connection.drain() }
    if connections.isEmpty { stop() }
  }

  /// The shutdown deadline passed: close whatever is still open.
  func forceClose() {
    beginDrain()
    for connection in Array(connections.values) { connection.close() }
    stop()
  }

  private func stop() {
    guard !stopped else { return }
    stopped = true
    loop.stopRunning()
  }
}

/// Accepts connections from one listener onto its loop, enforcing the connection limit.
final class ListenerChannel: EventLoopChannel {
  let listener: Listener
  unowned let context: LoopContext
  var token: UInt64 = 0
  private var paused = false

  init(listener: Listener, context: LoopContext) {
    self.listener = listener
    self.context = context
  }

  func handleEvents(_ events: UInt32) {
    while true {
      let accepted: (fd: Int32, peer: String)?
      do {
        accepted = try Syscall.accept(listener.fd)
      } catch {
        // Out of descriptors (EMFILE/ENFILE) or similar: stop polling until the next tick
        // instead of spinning on a level-triggered listener.
        context.core.log("accept failed: \(error)")
        pause()
        return
      }
      guard let accepted else { return }
      guard context.core.acquireConnectionSlot() else {
        Syscall.close(accepted.fd)
        continue
      }
      Syscall.setNoDelay(accepted.fd)
      let connection = Connection(fd: accepted.fd, peer: accepted.peer, context: context)
      guard connection.register() else {
        context.core.releaseConnectionSlot()
        Syscall.close(accepted.fd)
        continue
      }
      context.add(connection)
    }
  }

  private func pause() {
    guard !paused else { return }
    paused = true
    context.loop.modify(fd: listener.fd, token: token, events: 0)
  }

  func resumeIfPaused() {
    guard paused else { return }
    paused = false
    context.loop.modify(fd: listener.fd, token: token, events: ITS_EPOLLIN)
  }

  func close() {
    context.loop.deregister(fd: listener.fd, token: token)
    listener.close()
  }
}

import CLinuxShims
