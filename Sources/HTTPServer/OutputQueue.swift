import Sockets

#if canImport(Glibc)
  import Glibc
#endif

/// Bytes waiting to be written to one connection, as a queue of shared segments: cached object
/// bytes are referenced, never copied. Written with `writev`, up to `maxIOVecs` segments per
/// call. Small chunks that many connections send at once (watch frames) are copied instead into
/// a buffer the queue owns (`appendCopy`), and so are response heads, written on the stack: a
/// copy of a few hundred bytes costs less than reference counting one array from several
/// threads (or allocating one per head), and consecutive copies leave as one iovec. Once
/// everything is written, the owned buffer is kept for the next copies.
/// Loop-confined. Invariant: `segments[owned]`, when `owned >= 0`, is uniquely referenced here.
struct OutputQueue {
  private var segments: [[UInt8]] = []
  /// Index of the first unwritten segment (segments before it are garbage, compacted lazily).
  private var head = 0
  /// Bytes of `segments[head]` already written.
  private var offset = 0
  /// Unwritten bytes in total.
  private(set) var byteCount = 0

  /// Index in `segments` of the queue's own buffer that `appendCopy` last started (-1: none).
  /// `appendCopy` extends it in place while it is the last segment.
  private var owned = -1
  /// An emptied owned buffer kept for its capacity.
  private var spare: [UInt8] = []

  static let maxIOVecs = 64
  /// Largest owned buffer kept for reuse once written.
  static let maxSpareCapacity = 64 * 1024

  var isEmpty: Bool { byteCount == 0 }

  mutating func append(_ bytes: [UInt8]) {
    guard !bytes.isEmpty else { return }
    segments.append(bytes)
    byteCount += bytes.count
  }

  /// Appends the segments of `parts` in order with one append to the segment list (a large LIST
  /// body is tens of thousands of segments). Empty parts are skipped, as `append` skips them:
  /// `write` and `consumeFront` take every queued segment to have a first byte.
  mutating func append(contentsOf parts: [[UInt8]]) {
    var added = 0
    var anyEmpty = false
    for part in parts {
      added += part.count
      anyEmpty = anyEmpty || part.isEmpty
    }
    guard added > 0 else { return }
    if anyEmpty {
      segments.append(contentsOf: parts.lazy.filter { !$0.isEmpty })
    } else {
      segments.append(contentsOf: parts)
    }
    byteCount += added
  }

  /// Appends a copy of `bytes` to the queue's own buffer (for small chunks shared by many
  /// connections; large ones are better referenced with `append`).
  mutating func appendCopy(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { appendCopy($0) }
  }

  /// `appendCopy` from borrowed memory: the caller's array (shared by every connection that
  /// sends it) is read in place, neither retained nor released.
  mutating func appendCopy(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else { return }
    if owned < 0 || owned != segments.count - 1 {
      var buffer: [UInt8] = []
      swap(&buffer, &spare)
      segments.append(consume buffer)
      owned = segments.count - 1
    }
    segments[segments.count - 1].append(contentsOf: bytes)
    byteCount += bytes.count
  }

  mutating func removeAll() {
    segments.removeAll()
    head = 0
    offset = 0
    byteCount = 0
    owned = -1
  }

  /// Writes as much as the socket takes. Returns false when the socket would block with data
  /// still queued (the caller then waits for writability); throws on a failed connection.
  mutating func write(to fd: Int32) throws(SystemError) -> Bool {
    while byteCount > 0 {
      let count = min(segments.count - head, Self.maxIOVecs)
      let outcome = try withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) {
        iovecs in withIOVecs(iovecs, fd: fd, index: 0)
      }.get()
      switch outcome {
      case .wouldBlock:
        return false
      case .bytes(let n):
        consume(n)
      }
    }
    return true
  }

  /// For an empty queue: writes `head` then `body` with one `writev`, from where they are, and
  /// queues what the socket did not take (all of it when it would block or failed: the next
  /// `write` then waits, or meets the error again). Returns whether any byte was written.
  mutating func writeOrQueue(head: UnsafeRawBufferPointer, body: [UInt8], to fd: Int32) -> Bool {
    let written = body.withUnsafeBytes { bodyBytes -> Int in
      withUnsafeTemporaryAllocation(of: iovec.self, capacity: 2) { iovecs -> Int in
        iovecs[0] = iovec(
          iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count)
        iovecs[1] = iovec(
          iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress),
          iov_len: bodyBytes.count)
        let count: Int32 = bodyBytes.isEmpty ? 1 : 2
        guard case .bytes(let n) = try? Syscall.writev(fd, iovecs.baseAddress!, count: count)
        else { return 0 }
        return n
      }
    }
    if written < head.count {
      appendCopy(UnsafeRawBufferPointer(rebasing: head[written...]))
      append(body)
    } else if written < head.count + body.count {
      append(Array(body[(written - head.count)...]))
    }
    return written > 0
  }

  /// Everything was written: forget the segments, keeping the owned buffer for reuse.
  private mutating func resetWritten() {
    if owned >= 0 {
      var buffer: [UInt8] = []
      swap(&buffer, &segments[owned])
      if buffer.capacity <= Self.maxSpareCapacity {
        buffer.removeAll(keepingCapacity: true)
        spare = buffer
      }
      owned = -1
    }
    // One pop per segment (a response leaves two or three): cheaper than the generic range
    // replacement `removeAll(keepingCapacity:)` goes through, and the capacity stays.
    while segments.popLast() != nil {}
    head = 0
    offset = 0
  }

  /// Pins each segment's storage (nested closures keep every pointer valid) and calls writev.
  private func withIOVecs(_ iovecs: UnsafeMutableBufferPointer<iovec>, fd: Int32, index: Int)
    -> Result<WriteOutcome, SystemError>
  {
    if index == iovecs.count {
      return Result { () throws(SystemError) in
        try Syscall.writev(fd, iovecs.baseAddress!, count: Int32(iovecs.count))
      }
    }
    let skip = index == 0 ? offset : 0
    return segments[head + index].withUnsafeBytes { raw in
      iovecs[index] = iovec(
        iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + skip),
        iov_len: raw.count - skip)
      return withIOVecs(iovecs, fd: fd, index: index + 1)
    }
  }

  /// For TLS: hands `body` the next unwritten bytes as one contiguous buffer and consumes them
  /// when it returns true. A front segment of at least `scratch.count` bytes is passed in place
  /// (at most `directLimit` of it); smaller segments are coalesced into `scratch`.
  mutating func consumeFront(
    scratch: UnsafeMutableRawBufferPointer, directLimit: Int,
    _ body: (UnsafeRawBufferPointer) -> Bool
  ) -> Bool {
    guard byteCount > 0 else { return true }
    let first = segments[head]
    let start = offset
    var count = first.count - start
    let ok: Bool
    if count >= scratch.count {
      count = min(count, directLimit)
      ok = first.withUnsafeBytes {
        body(UnsafeRawBufferPointer(rebasing: $0[start..<start + count]))
      }
    } else {
      count = 0
      var index = head
      var skip = start
      while count < scratch.count && index < segments.count {
        let take = min(segments[index].count - skip, scratch.count - count)
        segments[index].withUnsafeBytes {
          (scratch.baseAddress! + count).copyMemory(from: $0.baseAddress! + skip, byteCount: take)
        }
        count += take
        skip = 0
        index += 1
      }
      ok = body(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
    }
    if ok { consume(count) }
    return ok
  }

  private mutating func consume(_ n: Int) {
    var n = n
    byteCount -= n
    while n > 0 {
      let left = segments[head].count - offset
      if n >= left {
        n -= left
        head += 1
        offset = 0
      } else {
        offset += n
        n = 0
      }
    }
    if byteCount == 0 {
      // An owned tail behind `head` must not be extended: start afresh.
      resetWritten()
    } else if head > 256 && head * 2 > segments.count {
      segments.removeFirst(head)
      // An owned buffer already written is dropped with the others: copies start a new one.
      owned = owned >= head ? owned - head : -1
      head = 0
    }
  }
}
