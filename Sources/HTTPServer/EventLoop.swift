import CLinuxShims
import Sockets
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Something registered with an event loop that reacts to readiness of one descriptor.
/// Confined to its loop's thread.
protocol EventLoopChannel: AnyObject {
  func handleEvents(_ events: UInt32)
}

/// Something another thread can queue to run once on its loop (a streaming response's pump):
/// queuing it allocates nothing, unlike a task closure.
protocol ReadyChannel: AnyObject, Sendable {
  /// Runs on the loop thread, once per `EventLoop.schedule` batch.
  func runWhenReady()
}

/// One epoll event loop on a dedicated thread. Descriptors registered here are serviced only
/// on that thread; other threads talk to the loop through `execute(_:)` and `schedule(_:)` (locked
/// queues plus an eventfd wake-up, signalled at most once until the loop drains the queues).
///
/// Each iteration handles the ready descriptors (requests), then the tasks and scheduled
/// channels queued before it took the queue, in the order they were queued (a stream's pump
/// runs before a later shutdown task, as a task would): work queued meanwhile waits for the next
/// iteration, so pumping streams never starves request processing; within a long batch the loop
/// looks at the descriptors again (without waiting) every `pumpsBetweenPolls` items, so a request
/// arriving meanwhile (a writer's next update) does not wait for every stream's pump.
/// Invariant: `slots`, `tick` and everything a channel owns are touched only on the loop thread.
final class EventLoop: @unchecked Sendable {
  let index: Int
  private let epollFD: Int32
  private let wakeFD: Int32
  /// Whether `wakeFD` is still open. Signalling and closing happen under this lock, so a
  /// late `execute` from another thread never writes into a closed (or reused) descriptor.
  private let wakeOpen = Mutex<Bool>(true)
  /// One piece of work for the loop thread: a task closure, or a scheduled channel (which
  /// costs no allocation to queue).
  private enum Work {
    case task(@Sendable () -> Void)
    case ready(any ReadyChannel)
  }

  private let queue = Mutex<[Work]>([])
  /// An emptied queue kept for its capacity (loop thread only): swapped with `queue`, so a
  /// steady stream of wake-ups allocates nothing.
  private var spare: [Work] = []
  private let wakePending = Atomic<Bool>(false)
  /// A registered channel and the token its events carry.
  private struct Slot {
    var token: UInt64 = 0
    var channel: EventLoopChannel?
  }

  /// Registered channels, indexed by the low 32 bits of their token (an array lookup per event
  /// instead of hashing the token). The high 32 bits are a generation that changes with every
  /// registration, so an event still carrying the token of a deregistered channel (ready in the
  /// same batch) never reaches the slot's next owner. Exclusivity is not checked at run time
  /// (one check per ready descriptor): it is touched only on the loop thread, by `register`,
  /// `deregister` and the lookup in `poll`, each a single array operation that calls out to
  /// nothing (the looked-up channel runs after its access ends; a removed one is released
  /// after it), so no access can overlap another.
  @exclusivity(unchecked) private var slots: [Slot] = []
  /// Indices of free `slots`.
  private var freeSlots: [Int] = []
  /// The generation of the next token (never 0, so no token equals `wakeToken`).
  private var nextGeneration: UInt32 = 1
  private var running = true
  private let wakeToken: UInt64 = 0

  /// Called on the loop thread about once a second (timeouts, cached Date header).
  var tick: (() -> Void)?
  /// Called on the loop thread once it has stopped running.
  var onStop: (() -> Void)?

  init(index: Int) throws(SystemError) {
    self.index = index
    epollFD = its_epoll_create()
    guard epollFD >= 0 else { throw SystemError("epoll_create1", errno: errno) }
    wakeFD = its_eventfd()
    guard wakeFD >= 0 else { throw SystemError("eventfd", errno: errno) }
    guard its_epoll_ctl(epollFD, 1, wakeFD, ITS_EPOLLIN, wakeToken) == 0 else {
      throw SystemError("epoll_ctl(eventfd)", errno: errno)
    }
  }

  /// Runs `task` on the loop thread soon. Safe from any thread.
  func execute(_ task: @escaping @Sendable () -> Void) {
    queue.withLock { $0.append(.task(task)) }
    wake()
  }

  /// Runs `channel.runWhenReady()` on the loop thread soon (once per iteration, however often
  /// it is scheduled before then is up to the caller). Safe from any thread.
  func schedule(_ channel: any ReadyChannel) {
    queue.withLock { $0.append(.ready(channel)) }
    wake()
  }

  private func wake() {
    if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
      wakeOpen.withLock { open in
        if open { _ = its_eventfd_signal(wakeFD) }
      }
    }
  }

  /// Registers `channel` for `events` on `fd` (loop thread only). Returns its token.
  func register(_ channel: EventLoopChannel, fd: Int32, events: UInt32) -> UInt64? {
    let slot: Int
    if let free = freeSlots.popLast() {
      slot = free
    } else {
      slot = slots.count
      slots.append(Slot())
    }
    let token = UInt64(nextGeneration) << 32 | UInt64(slot)
    nextGeneration = nextGeneration == .max ? 1 : nextGeneration + 1
    guard its_epoll_ctl(epollFD, 1, fd, events, token) == 0 else {
      freeSlots.append(slot)
      return nil
    }
    slots[slot] = Slot(token: token, channel: channel)
    return token
  }

  /// Changes the interest set of a registered descriptor (loop thread only).
  func modify(fd: Int32, token: UInt64, events: UInt32) {
    _ = its_epoll_ctl(epollFD, 2, fd, events, token)
  }

  /// Removes a descriptor before it is closed (loop thread only).
  func deregister(fd: Int32, token: UInt64) {
    _ = its_epoll_ctl(epollFD, 3, fd, 0, 0)
    let slot = Self.slot(of: token)
    guard slot < slots.count, slots[slot].token == token else { return }
    // Released after the access ends: no deinit runs inside it (see `slots`).
    let removed = slots[slot].channel
    slots[slot] = Slot()
    freeSlots.append(slot)
    _ = consume removed
  }

  /// The index in `slots` a token names.
  private static func slot(of token: UInt64) -> Int {
    Int(truncatingIfNeeded: token & 0xFFFF_FFFF)
  }

  /// Asks the loop to return from `run()` after the current iteration (loop thread only).
  func stopRunning() { running = false }

  /// Starts the loop on a new thread.
  func start() {
    let thread = LoopThread(loop: self)
    thread.start()
  }

  /// The loop body: wait for readiness (at most until the next tick), dispatch, run tasks.
  func run() {
    var events = [its_epoll_event](repeating: its_epoll_event(), count: 256)
    var nextTick = monotonicMilliseconds() + 1000
    while running {
      let now = monotonicMilliseconds()
      let timeout = Int32(max(0, min(1000, nextTick - now)))
      poll(&events, timeout: timeout, drainWake: true)
      runPendingTasks(&events)
      if monotonicMilliseconds() >= nextTick {
        nextTick = monotonicMilliseconds() + 1000
        tick?()
      }
    }
    runPendingTasks(&events)
    onStop?()
    wakeOpen.withLock { open in
      open = false
      Syscall.close(wakeFD)
    }
    Syscall.close(epollFD)
  }

  /// Waits up to `timeout` ms for readiness and dispatches it. The wake-up eventfd is drained
  /// only when `drainWake`: a look taken in the middle of a batch leaves it readable, since
  /// draining it there could swallow the signal for work queued after the batch was taken.
  private func poll(_ events: inout [its_epoll_event], timeout: Int32, drainWake: Bool) {
    let n = events.withUnsafeMutableBufferPointer {
      its_epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
    }
    guard n > 0 else { return }
    for i in 0..<Int(n) {
      let event = events[i]
      if event.token == wakeToken {
        if drainWake { _ = its_eventfd_drain(wakeFD) }
        continue
      }
      // Copied out first: the channel runs (and may deregister) after the lookup's access.
      let slot = Self.slot(of: event.token)
      guard slot < slots.count else { continue }
      let entry = slots[slot]
      if entry.token == event.token { entry.channel?.handleEvents(event.events) }
    }
  }

  /// Pumps run between two looks at the descriptors while a batch is worked through, so a loop
  /// with many busy streams still reads a request (a writer's next update) within this many.
  static let pumpsBetweenPolls = 64

  private func runPendingTasks(_ events: inout [its_epoll_event]) {
    wakePending.store(false, ordering: .releasing)
    // Work queued while this runs waits for the next iteration (after the wake-up).
    var batch: [Work] = []
    swap(&batch, &spare)
    queue.withLock { swap(&batch, &$0) }
    for (i, work) in batch.enumerated() {
      if i > 0 && i % Self.pumpsBetweenPolls == 0 && running {
        poll(&events, timeout: 0, drainWake: false)
      }
      switch work {
      case .task(let task): task()
      case .ready(let channel): channel.runWhenReady()
      }
    }
    batch.removeAll(keepingCapacity: true)
    spare = batch
  }
}

/// Milliseconds on the monotonic clock (never jumps with wall-clock changes).
func monotonicMilliseconds() -> Int64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// A pthread running one event loop (Dispatch threads are for short work, not a loop).
private final class LoopThread: @unchecked Sendable {
  let loop: EventLoop
  init(loop: EventLoop) { self.loop = loop }

  func start() {
    var thread = pthread_t()
    let box = Unmanaged.passRetained(self).toOpaque()
    let rc = pthread_create(
      &thread, nil,
      { arg in
        let me = Unmanaged<LoopThread>.fromOpaque(arg!).takeRetainedValue()
        me.loop.run()
        return nil
      }, box)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    pthread_detach(thread)
  }
}
