import Dispatch
import Synchronization
import Testing

@testable import HTTPServer

/// The chunk framing shared by every watcher, and the loop's ready list.
@Suite struct SharedChunkTests {
  @Test func chunkedFormIsSizeLinePayloadAndCRLF() {
    let chunk = SharedChunk(parts: [Array("ab".utf8), [], Array(repeating: 120, count: 300)])
    #expect(chunk.byteCount == 302)
    let expected = Array("12e\r\nab".utf8) + Array(repeating: 120, count: 300) + Array("\r\n".utf8)
    #expect(chunk.chunked == expected)
    #expect(chunk.parts.count == 3)
    // An empty payload would be the last chunk on the wire: it frames to nothing.
    #expect(SharedChunk(parts: [[], []]).chunked.isEmpty)
  }

  @Test func sizeLinesAreLowercaseHex() {
    for (size, text) in [(1, "1"), (15, "f"), (16, "10"), (255, "ff"), (4096, "1000"), (0, "0")] {
      var line: [UInt8] = []
      ChunkFraming.appendSizeLine(size, to: &line)
      #expect(line == Array((text + "\r\n").utf8))
    }
  }
}

@Suite struct ReadyListTests {
  /// Counts its runs; reschedules itself `again` times from inside `runWhenReady`.
  final class Probe: ReadyChannel, @unchecked Sendable {
    let loop: EventLoop
    let runs = Atomic<Int>(0)
    var again: Int
    let done = DispatchSemaphore(value: 0)
    init(loop: EventLoop, again: Int) {
      self.loop = loop
      self.again = again
    }
    func runWhenReady() {
      runs.add(1, ordering: .relaxed)
      if again > 0 {
        again -= 1
        loop.schedule(self)
      } else {
        done.signal()
      }
    }
  }

  func withLoop(_ body: (EventLoop) throws -> Void) throws {
    let loop = try EventLoop(index: 0)
    let stopped = DispatchSemaphore(value: 0)
    loop.onStop = { stopped.signal() }
    loop.start()
    defer {
      loop.execute { loop.stopRunning() }
      _ = stopped.wait(timeout: .now() + .seconds(10))
    }
    try body(loop)
  }

  @Test func scheduledChannelsRunOnTheLoopThread() throws {
    try withLoop { loop in
      let probe = Probe(loop: loop, again: 0)
      DispatchQueue.global().async { loop.schedule(probe) }
      #expect(probe.done.wait(timeout: .now() + .seconds(10)) == .success)
      #expect(probe.runs.load(ordering: .relaxed) == 1)
    }
  }

  @Test func channelsAndTasksRunInTheOrderQueued() throws {
    try withLoop { loop in
      let order = Mutex<[String]>([])
      let done = DispatchSemaphore(value: 0)
      let probe = Probe(loop: loop, again: 0)
      // Queued from one thread in one go: the loop must not reorder them.
      loop.execute { order.withLock { $0.append("task 1") } }
      loop.schedule(probe)
      loop.execute {
        order.withLock { $0.append("task 2 after \(probe.runs.load(ordering: .relaxed)) runs") }
        done.signal()
      }
      #expect(done.wait(timeout: .now() + .seconds(10)) == .success)
      #expect(order.withLock { $0 } == ["task 1", "task 2 after 1 runs"])
    }
  }

  @Test func aChannelThatKeepsSchedulingItselfDoesNotStarveTasks() throws {
    try withLoop { loop in
      let probe = Probe(loop: loop, again: 100_000)
      let seenAt = Atomic<Int>(-1)
      let ran = DispatchSemaphore(value: 0)
      loop.schedule(probe)
      loop.execute {
        seenAt.store(probe.runs.load(ordering: .relaxed), ordering: .relaxed)
        ran.signal()
      }
      #expect(ran.wait(timeout: .now() + .seconds(10)) == .success)
      // One run of the channel per iteration: the task ran within the first few.
      #expect(seenAt.load(ordering: .relaxed) <= 2)
      #expect(probe.done.wait(timeout: .now() + .seconds(60)) == .success)
      #expect(probe.runs.load(ordering: .relaxed) == 100_001)
    }
  }
}
