import Glibc
import Sockets
import Testing

@testable import HTTPServer

/// Referenced and copied segments leave in order, across partial writes.
@Suite struct OutputQueueTests {
  /// A connected, non-blocking pair of stream sockets with small buffers.
  func socketPair() throws -> (writer: Int32, reader: Int32) {
    var fds: [Int32] = [0, 0]
    try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
    var size: Int32 = 4096
    _ = setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
    _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
    return (fds[0], fds[1])
  }

  func readAvailable(_ fd: Int32, into out: inout [UInt8]) {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n <= 0 { return }
      out.append(contentsOf: buffer[0..<n])
    }
  }

  /// Writes and reads until `queue` is empty, then reads what is left.
  func drain(_ queue: inout OutputQueue, _ w: Int32, _ r: Int32, into received: inout [UInt8])
    throws
  {
    while !queue.isEmpty {
      readAvailable(r, into: &received)
      _ = try queue.write(to: w)
    }
    readAvailable(r, into: &received)
  }

  @Test func copiedAndReferencedSegmentsKeepTheirOrderAcrossPartialWrites() throws {
    let (w, r) = try socketPair()
    defer {
      close(w)
      close(r)
    }
    var queue = OutputQueue()
    var expected: [UInt8] = []
    var received: [UInt8] = []
    for round in 0..<200 {
      let small = [UInt8](repeating: UInt8(round % 250), count: 1 + round % 300)
      let big = pattern(2000 + round * 37)
      queue.appendCopy(small)
      queue.appendCopy(small)
      queue.append(big)
      queue.appendCopy([])
      queue.appendCopy(small)
      expected += small + small + big + small
      // The socket takes only part: the rest waits, and later copies extend the queue.
      _ = try queue.write(to: w)
      if round % 3 == 0 { readAvailable(r, into: &received) }
    }
    try drain(&queue, w, r, into: &received)
    #expect(received.count == expected.count)
    #expect(received == expected)
  }

  @Test func tlsStyleConsumptionThenMoreCopiesKeepsEveryByte() {
    // TLS takes the queue front by front; once empty, new copies must start a fresh buffer.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 16)
    defer { scratch.deallocate() }
    var queue = OutputQueue()
    var taken: [UInt8] = []
    var expected: [UInt8] = []
    for round in 0..<50 {
      let small = [UInt8](repeating: UInt8(round), count: 10 + round * 30)
      queue.appendCopy(small)
      queue.appendCopy(small)
      expected += small + small
      if round % 4 == 1 {
        let big = pattern(3000 + round)
        queue.append(big)
        expected += big
      }
      // Drain fully on even rounds; otherwise stop with a little left (a partly taken tail).
      while !queue.isEmpty && (round % 2 == 0 || queue.byteCount > 100) {
        let ok = queue.consumeFront(scratch: scratch, directLimit: 1500) { bytes in
          taken.append(contentsOf: bytes)
          return true
        }
        #expect(ok)
      }
    }
    while !queue.isEmpty {
      _ = queue.consumeFront(scratch: scratch, directLimit: 1500) { bytes in
        taken.append(contentsOf: bytes)
        return true
      }
    }
    #expect(taken == expected)
  }

  @Test func partsAppendedTogetherLeaveInOrderAndEmptyPartsAreSkipped() throws {
    // A LIST body: many shared parts queued at once, some empty, written across partial writes
    // and taken front by front as TLS does.
    let parts: [[UInt8]] =
      (0..<300).map { i in i % 7 == 3 ? [] : pattern(1 + (i * 53) % 2500) } + [[], []]
    let expected = parts.flatMap { $0 }
    let (w, r) = try socketPair()
    defer {
      close(w)
      close(r)
    }
    var queue = OutputQueue()
    queue.append(contentsOf: [[], []])
    #expect(queue.isEmpty)
    queue.append(contentsOf: parts)
    #expect(queue.byteCount == expected.count)
    var received: [UInt8] = []
    while !queue.isEmpty {
      _ = try queue.write(to: w)
      readAvailable(r, into: &received)
    }
    readAvailable(r, into: &received)
    #expect(received == expected)

    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 16)
    defer { scratch.deallocate() }
    var tls = OutputQueue()
    tls.append(contentsOf: parts)
    var taken: [UInt8] = []
    while !tls.isEmpty {
      let ok = tls.consumeFront(scratch: scratch, directLimit: 1500) { bytes in
        taken.append(contentsOf: bytes)
        return true
      }
      #expect(ok)
    }
    #expect(taken == expected)
  }

  @Test func writeOrQueueSendsWhatTheSocketTakesAndQueuesTheRestInOrder() throws {
    // Heads and bodies of many sizes against a small socket buffer: the write stops in the
    // head, in the body, takes everything, or takes nothing (would block); queued remainders
    // and later responses leave in order.
    let (w, r) = try socketPair()
    defer {
      close(w)
      close(r)
    }
    var (queue, expected, received) = (OutputQueue(), [UInt8](), [UInt8]())
    var wroteSome = 0
    for round in 0..<120 {
      let head = [UInt8](repeating: UInt8(round % 250), count: 1 + (round * 97) % 6000)
      let body = round % 5 == 0 ? [] : pattern((round * 331) % 9000)
      expected += head + body
      if queue.isEmpty {
        let wrote = head.withUnsafeBytes { queue.writeOrQueue(head: $0, body: body, to: w) }
        if wrote { wroteSome += 1 }
      } else {
        queue.appendCopy(head)
        queue.append(body)
      }
      if round % 4 != 3 {
        readAvailable(r, into: &received)
        _ = try queue.write(to: w)
      }
    }
    try drain(&queue, w, r, into: &received)
    #expect(wroteSome > 0)
    #expect(received == expected)
  }
}
