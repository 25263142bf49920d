#if canImport(Glibc)
  import Glibc
#endif
import Dispatch
import Synchronization

/// Writes records as lines to a file descriptor from a background queue, so the threads that
/// produce them (event loops) never wait for the disk. Records are rendered to bytes on the
/// writer's queue, not by the producer. At most `capacity` records wait; past that a record is
/// dropped and counted (`dropped`) rather than stalling the producer — an operator sees the
/// loss in a metric, the server keeps answering.
///
/// Invariants: records are written in submission order; each is one `write` of whole lines
/// (batched with its neighbours); `flush()` returns once everything submitted before it is out.
public final class BoundedLineWriter<Record: Sendable>: Sendable {
  private struct State {
    var pending: [Record] = []
    var scheduled = false
  }

  private let state = Mutex(State())
  private let queue = DispatchQueue(label: "its.line-writer")
  private let capacity: Int
  private let render: @Sendable (Record, inout [UInt8]) -> Void
  private let output: @Sendable ([UInt8]) -> Void
  private let droppedCount = Atomic<UInt64>(0)
  private let writtenCount = Atomic<UInt64>(0)

  /// `render` appends one record's line (with its line feed); `output` writes a batch.
  public init(
    capacity: Int, render: @escaping @Sendable (Record, inout [UInt8]) -> Void,
    output: @escaping @Sendable ([UInt8]) -> Void
  ) {
    self.capacity = max(capacity, 1)
    self.render = render
    self.output = output
  }

  /// Records dropped because the queue was full.
  public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }
  /// Records written.
  public var written: UInt64 { writtenCount.load(ordering: .relaxed) }
  /// Records waiting to be written.
  var pendingCount: Int { state.withLock { $0.pending.count } }

  /// Queues one record; returns false (and counts a drop) when `capacity` records are waiting.
  @discardableResult
  public func submit(_ record: Record) -> Bool {
    let outcome: Bool? = state.withLock { s in
      guard s.pending.count < capacity else { return nil }
      s.pending.append(record)
      if s.scheduled { return false }
      s.scheduled = true
      return true
    }
    guard let schedule = outcome else {
      droppedCount.add(1, ordering: .relaxed)
      return false
    }
    if schedule { queue.async { self.drain() } }
    return true
  }

  /// Waits until everything submitted so far is written.
  public func flush() {
    queue.sync { self.drain() }
  }

  private func drain() {
    while true {
      let batch: [Record] = state.withLock { s in
        let b = s.pending
        s.pending.removeAll(keepingCapacity: true)
        if b.isEmpty { s.scheduled = false }
        return b
      }
      if batch.isEmpty { return }
      var bytes: [UInt8] = []
      bytes.reserveCapacity(batch.count * 512)
      for record in batch { render(record, &bytes) }
      output(bytes)
      writtenCount.add(UInt64(batch.count), ordering: .relaxed)
    }
  }

  /// An output that appends to a file descriptor, retrying short writes and EINTR; errors
  /// drop the batch (a full disk must not stop the server).
  public static func fileOutput(_ fd: Int32) -> @Sendable ([UInt8]) -> Void {
    { bytes in
      var offset = 0
      while offset < bytes.count {
        let n = bytes.withUnsafeBytes { raw in
          write(fd, raw.baseAddress! + offset, raw.count - offset)
        }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return }
        offset += n
      }
    }
  }

  /// Opens `path` for appending (created 0600), or standard output for "-".
  public static func openFile(_ path: String) -> Int32? {
    if path == "-" { return 1 }
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    return fd >= 0 ? fd : nil
  }
}
