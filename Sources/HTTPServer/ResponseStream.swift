import Synchronization

/// Why a streaming response ended.
public enum StreamEndReason: Sendable, Equatable {
  /// The producer called `finish()` and the final chunk was queued.
  case finished
  /// The client went away (or the connection failed).
  case clientClosed
  /// The client did not read fast enough: more than the connection's output bound was pending.
  /// The response is ended cleanly; a Kubernetes client resumes from its last resourceVersion.
  case consumerTooSlow
  /// The server is shutting down; the final chunk was queued.
  case serverShutdown
}

/// One chunk of a streaming body: plain bytes, several shared byte arrays written back to back
/// with `writev` (never copied into one buffer), or a `SharedChunk` whose framed form is queued
/// as one segment.
public struct StreamChunk: Sendable {
  enum Content: Sendable {
    case bytes([UInt8])
    case parts([[UInt8]])
    case shared(SharedChunk)
  }

  let content: Content

  public init(parts: [[UInt8]]) { content = .parts(parts) }
  public init(_ bytes: [UInt8]) { content = .bytes(bytes) }
  public init(shared: SharedChunk) { content = .shared(shared) }

  public var byteCount: Int {
    switch content {
    case .bytes(let bytes): bytes.count
    case .parts(let parts): parts.reduce(0) { $0 + $1.count }
    case .shared(let shared): shared.byteCount
    }
  }
}

/// What a pull handler hands over when the loop asks for data.
public struct StreamPull: Sendable {
  public var chunks: [StreamChunk]
  public var finished: Bool

  public init(chunks: [StreamChunk], finished: Bool = false) {
    self.chunks = chunks
    self.finished = finished
  }
}

/// The producer's handle on a chunked response. Every method is safe from any thread.
///
/// Two ways to produce: push (`write`, then `finish`) or pull (`setPullHandler`, then `wakeUp`
/// whenever data is ready: the loop calls the handler and writes everything it returns in one
/// go — the watch path uses this so frames are never copied into a second queue).
/// Invariants: chunks are written in the order produced; after the stream ends every call is a
/// no-op returning false; `onEnd` handlers run exactly once.
public final class ResponseStream: Sendable {
  struct State {
    var pending: [StreamChunk] = []
    var pendingBytes = 0
    var finishRequested = false
    var pullRequested = false
    var flushScheduled = false
    var ended: StreamEndReason?
    var endHandlers: [@Sendable (StreamEndReason) -> Void] = []
    var pull: PullHandler?
  }

  /// The pull handler, boxed once: taken out of the lock as a plain reference (a bare closure
  /// returned through the lock is re-wrapped, two allocations per pump).
  final class PullHandler: Sendable {
    let run: @Sendable (inout StreamSink) -> Bool
    init(_ run: @escaping @Sendable (inout StreamSink) -> Bool) { self.run = run }
  }

  private let state = Mutex(State())
  /// Bound on bytes queued here before the loop moves them to the socket.
  let maxPendingBytes: Int
  /// Asks the owning connection's loop to pump this stream (set once by the connection).
  private let schedule: @Sendable () -> Void

  init(maxPendingBytes: Int, schedule: @escaping @Sendable () -> Void) {
    self.maxPendingBytes = maxPendingBytes
    self.schedule = schedule
  }

  /// Queues one chunk. Returns false if the stream has ended (the chunk is dropped) or if this
  /// chunk overflowed the bound (the stream then ends with `.consumerTooSlow`).
  @discardableResult
  public func write(_ chunk: [UInt8]) -> Bool {
    var overflow = false
    let needsSchedule: Bool? = state.withLock { s in
      guard s.ended == nil, !s.finishRequested else { return nil }
      s.pending.append(StreamChunk(chunk))
      s.pendingBytes += chunk.count
      if s.pendingBytes > maxPendingBytes { overflow = true }
      if s.flushScheduled { return false }
      s.flushScheduled = true
      return true
    }
    guard let needsSchedule else { return false }
    if overflow {
      end(.consumerTooSlow)
      return false
    }
    if needsSchedule { schedule() }
    return true
  }

  /// Ends the response after everything queued (the final zero-length chunk).
  public func finish() {
    let needsSchedule: Bool = state.withLock { s in
      guard s.ended == nil, !s.finishRequested else { return false }
      s.finishRequested = true
      if s.flushScheduled { return false }
      s.flushScheduled = true
      return true
    }
    if needsSchedule { schedule() }
  }

  /// Installs the pull handler (call before the first `wakeUp`).
  public func setPullHandler(_ pull: @escaping @Sendable () -> StreamPull) {
    setSinkHandler { sink in
      let pulled = pull()
      for chunk in pulled.chunks { sink.write(chunk) }
      return pulled.finished
    }
  }

  /// Installs a pull handler that writes straight into the connection's output (no chunk array
  /// per pull) and returns true when the response is complete (call before the first `wakeUp`).
  public func setSinkHandler(_ pull: @escaping @Sendable (inout StreamSink) -> Bool) {
    let handler = PullHandler(pull)
    state.withLock { $0.pull = handler }
  }

  /// Tells the loop the pull handler has data. Cheap when a pump is already scheduled.
  public func wakeUp() {
    let needsSchedule: Bool = state.withLock { s in
      guard s.ended == nil else { return false }
      s.pullRequested = true
      if s.flushScheduled { return false }
      s.flushScheduled = true
      return true
    }
    if needsSchedule { schedule() }
  }

  /// Runs `handler` once when the stream ends, whatever the reason (immediately if it has).
  public func onEnd(_ handler: @escaping @Sendable (StreamEndReason) -> Void) {
    let endedAlready: StreamEndReason? = state.withLock { s in
      if let e = s.ended { return e }
      s.endHandlers.append(handler)
      return nil
    }
    if let endedAlready { handler(endedAlready) }
  }

  /// Whether the stream has ended.
  public var hasEnded: Bool { state.withLock { $0.ended != nil } }

  // MARK: Loop side

  /// Writes what is queued (and, when asked, what the pull handler has) into `sink`; returns
  /// whether the response is complete. Loop thread only.
  func take(into sink: inout StreamSink) -> Bool {
    let (chunks, finish, pull) = state.withLock {
      s -> ([StreamChunk], Bool, PullHandler?) in
      let c = s.pending
      s.pending.removeAll()
      s.pendingBytes = 0
      s.flushScheduled = false
      let p = s.pullRequested ? s.pull : nil
      s.pullRequested = false
      return (c, s.finishRequested, p)
    }
    for chunk in chunks { sink.write(chunk) }
    guard let pull else { return finish }
    return pull.run(&sink) || finish
  }

  /// Marks the stream ended and runs the end handlers once. Safe from any thread.
  func end(_ reason: StreamEndReason) {
    let handlers: [@Sendable (StreamEndReason) -> Void]? = state.withLock { s in
      guard s.ended == nil else { return nil }
      s.ended = reason
      s.pending.removeAll()
      s.pull = nil
      let h = s.endHandlers
      s.endHandlers.removeAll()
      return h
    }
    guard let handlers else { return }
    for h in handlers { h(reason) }
    // Let the loop notice (it ends the response cleanly).
    schedule()
  }

  var endReason: StreamEndReason? { state.withLock { $0.ended } }
}
