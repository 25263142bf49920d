import CLinuxShims
import Sockets
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Something registered with a client loop that reacts to readiness of one descriptor.
protocol ClientChannel: AnyObject {
  func handleEvents(_ events: UInt32)
  /// The loop is stopping: release the descriptor, fail what is in flight.
  func loopStopped()
}

/// One epoll loop on its own thread driving many client connections and timers. Everything a
/// loop owns (connections, timers, the connection pool, and the agents pinned to it) is touched
/// only on its thread; other threads hand work over with `execute(_:)`.
///
/// Invariant: `channels`, `timers` and `pool` are accessed on the loop thread only.
public final class ClientLoop: @unchecked Sendable {
  public let index: Int
  private let epollFD: Int32
  private let wakeFD: Int32
  /// Whether `wakeFD` is still open. Signalling and closing happen under this lock, so a
  /// late `execute` from another thread never writes into a closed (or reused) descriptor.
  private let wakeOpen = Mutex<Bool>(true)
  private let tasks = Mutex<[@Sendable () -> Void]>([])
  private let wakePending = Atomic<Bool>(false)
  private var channels: [UInt64: ClientChannel] = [:]
  private var nextToken: UInt64 = 1
  private var timers = TimerHeap()
  private var running = true
  private var thread = pthread_t()
  private let threadID = Atomic<UInt>(0)
  /// The keep-alive pool for unary requests made from this loop (set by `KubeClient`).
  var pool: ConnectionPool!
  /// One read buffer shared by every connection of the loop (reads are consumed at once).
  let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)

  init(index: Int) throws(ClientError) {
    self.index = index
    epollFD = its_epoll_create()
    guard epollFD >= 0 else { throw ClientError.connectFailed("epoll_create1 failed") }
    wakeFD = its_eventfd()
    guard wakeFD >= 0 else { throw ClientError.connectFailed("eventfd failed") }
    guard its_epoll_ctl(epollFD, 1, wakeFD, ITS_EPOLLIN, 0) == 0 else {
      throw ClientError.connectFailed("epoll_ctl(eventfd) failed")
    }
  }

  /// Runs `task` on the loop thread soon. Safe from any thread.
  public func execute(_ task: @escaping @Sendable () -> Void) {
    tasks.withLock { $0.append(task) }
    if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
      wakeOpen.withLock { open in
        if open { _ = its_eventfd_signal(wakeFD) }
      }
    }
  }

  /// True on this loop's thread.
  public var inLoop: Bool { threadID.load(ordering: .acquiring) == UInt(pthread_self()) }

  /// Runs `work` on the loop thread after `nanoseconds` (loop thread only).
  public func schedule(afterNanos nanoseconds: UInt64, _ work: @escaping () -> Void) {
    timers.push(deadline: monotonicNanos() + nanoseconds, work)
  }

  func register(_ channel: ClientChannel, fd: Int32, events: UInt32) -> UInt64? {
    let token = nextToken
    nextToken += 1
    guard its_epoll_ctl(epollFD, 1, fd, events, token) == 0 else { return nil }
    channels[token] = channel
    return token
  }

  func modify(fd: Int32, token: UInt64, events: UInt32) {
    _ = its_epoll_ctl(epollFD, 2, fd, events, token)
  }

  func deregister(fd: Int32, token: UInt64) {
    _ = its_epoll_ctl(epollFD, 3, fd, 0, 0)
    channels[token] = nil
  }

  func start() {
    let box = Unmanaged.passRetained(self).toOpaque()
    let rc = pthread_create(
      &thread, nil,
      { arg in
        let me = Unmanaged<ClientLoop>.fromOpaque(arg!).takeRetainedValue()
        me.run()
        return nil
      }, box)
    precondition(rc == 0, "pthread_create failed: \(rc)")
  }

  /// Stops the loop (connections closed, in-flight requests failed with `.shutDown`) and waits
  /// for its thread. Not from the loop thread.
  func stopAndJoin() {
    execute { [self] in running = false }
    pthread_join(thread, nil)
  }

  private func run() {
    threadID.store(UInt(pthread_self()), ordering: .releasing)
    var events = [its_epoll_event](repeating: its_epoll_event(), count: 256)
    while running {
      var timeout: Int32 = 1000
      if let next = timers.nextDeadline {
        let now = monotonicNanos()
        timeout = next <= now ? 0 : Int32(min(1000, (next - now + 999_999) / 1_000_000))
      }
      let n = events.withUnsafeMutableBufferPointer {
        its_epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
      }
      if n > 0 {
        for i in 0..<Int(n) {
          let event = events[i]
          if event.token == 0 {
            _ = its_eventfd_drain(wakeFD)
            continue
          }
          channels[event.token]?.handleEvents(event.events)
        }
      }
      runPendingTasks()
      let now = monotonicNanos()
      while let work = timers.popDue(now) { work() }
    }
    pool?.shutDown()
    for channel in Array(channels.values) { channel.loopStopped() }
    channels.removeAll()
    runPendingTasks()
    timers = TimerHeap()
    wakeOpen.withLock { open in
      open = false
      Syscall.close(wakeFD)
    }
    Syscall.close(epollFD)
  }

  deinit { readBuffer.deallocate() }

  private func runPendingTasks() {
    wakePending.store(false, ordering: .releasing)
    let batch = tasks.withLock { queue -> [@Sendable () -> Void] in
      let b = queue
      queue.removeAll(keepingCapacity: true)
      return b
    }
    for task in batch { task() }
  }
}

/// Nanoseconds on the monotonic clock.
public func monotonicNanos() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// A binary min-heap of timers ordered by deadline, then insertion order (FIFO among equals).
struct TimerHeap {
  private struct Entry {
    var deadline: UInt64
    var seq: UInt64
    var work: () -> Void
  }

  private var heap: [Entry] = []
  private var seq: UInt64 = 0

  var count: Int { heap.count }
  var nextDeadline: UInt64? { heap.first?.deadline }

  mutating func push(deadline: UInt64, _ work: @escaping () -> Void) {
    seq += 1
    heap.append(Entry(deadline: deadline, seq: seq, work: work))
    var i = heap.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard less(i, parent) else { break }
      heap.swapAt(i, parent)
      i = parent
    }
  }

  /// Removes and returns the earliest timer if it is due at `now`.
  mutating func popDue(_ now: UInt64) -> (() -> Void)? {
    guard let first = heap.first, first.deadline <= now else { return nil }
    let last = heap.removeLast()
    if !heap.isEmpty {
      heap[0] = last
      var i = 0
      while true {
        let l = 2 * i + 1
        let r = l + 1
        var m = i
        if l < heap.count && less(l, m) { m = l }
        if r < heap.count && less(r, m) { m = r }
        if m == i { break }
        heap.swapAt(i, m)
        i = m
      }
    }
    return first.work
  }

  private func less(_ a: Int, _ b: Int) -> Bool {
    heap[a].deadline < heap[b].deadline
      || (heap[a].deadline == heap[b].deadline && heap[a].seq < heap[b].seq)
  }
}
