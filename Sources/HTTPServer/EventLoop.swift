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

/// One epoll event loop on a dedicated thread. Descriptors registered here are serviced only
/// on that thread; other threads talk to the loop through `execute(_:)` (a locked task queue plus
/// an eventfd wake-up, signalled at most once until the loop drains the queue).
/// Invariant: `channels`, `tick` and everything a channel owns are touched only on the loop thread.
final class EventLoop: @unchecked Sendable {
  let index: Int
  private let epollFD: Int32
  private let wakeFD: Int32
  /// Whether `wakeFD` is still open. Signalling and closing happen under this lock, so a
  /// late `execute` from another thread never writes into a closed (or reused) descriptor.
  private let wakeOpen = Mutex<Bool>(true)
  private let tasks = Mutex<[@Sendable () -> Void]>([])
  private let wakePending = Atomic<Bool>(false)
  private var channels: [UInt64: EventLoopChannel] = [:]
  private var nextToken: UInt64 = 1
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
    tasks.withLock { $0.append(task) }
    if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
      wakeOpen.withLock { open in
        if open { _ = its_eventfd_signal(wakeFD) }
      }
    }
  }

  /// Registers `channel` for `events` on `fd` (loop thread only). Returns its token.
  func register(_ channel: EventLoopChannel, fd: Int32, events: UInt32) -> UInt64? {
    let token = nextToken
    nextToken += 1
    guard its_epoll_ctl(epollFD, 1, fd, events, token) == 0 else { return nil }
    channels[token] = channel
    return token
  }

  /// Changes the interest set of a registered descriptor (loop thread only).
  func modify(fd: Int32, token: UInt64, events: UInt32) {
    _ = its_epoll_ctl(epollFD, 2, fd, events, token)
  }

  /// Removes a descriptor before it is closed (loop thread only).
  func deregister(fd: Int32, token: UInt64) {
    _ = its_epoll_ctl(epollFD, 3, fd, 0, 0)
    channels[token] = nil
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
      let n = events.withUnsafeMutableBufferPointer {
        its_epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
      }
      if n > 0 {
        for i in 0..<Int(n) {
          let event = events[i]
          if event.token == wakeToken {
            _ = its_eventfd_drain(wakeFD)
            continue
          }
          channels[event.token]?.handleEvents(event.events)
        }
      }
      runPendingTasks()
      if monotonicMilliseconds() >= nextTick {
        nextTick = monotonicMilliseconds() + 1000
        tick?()
      }
    }
    runPendingTasks()
    onStop?()
    wakeOpen.withLock { open in
      open = false
      Syscall.close(wakeFD)
    }
    Syscall.close(epollFD)
  }

  private func runPendingTasks() {
    wakePending.store(false, ordering: .releasing)
    // Tasks may enqueue more tasks; those run on the next iteration (after the wake-up).
    let batch = tasks.withLock { queue -> [@Sendable () -> Void] in
      let b = queue
      queue.removeAll(keepingCapacity: true)
      return b
    }
    for task in batch { task() }
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
