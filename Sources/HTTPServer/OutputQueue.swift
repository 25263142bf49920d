import Sockets

#if canImport(Glibc)
  import Glibc
#endif

/// Bytes waiting to be written to one connection, as a queue of shared segments: cached object
/// bytes and watch frames are referenced, never copied. Written with `writev`, up to
/// `maxIOVecs` segments per call. Loop-confined.
struct OutputQueue {
  private var segments: [[UInt8]] = []
  /// Index of the first unwritten segment (segments before it are garbage, compacted lazily).
  private var head = 0
  /// Bytes of `segments[head]` already written.
  private var offset = 0
  /// Unwritten bytes in total.
  private(set) var byteCount = 0

  static let maxIOVecs = 64

  var isEmpty: Bool { byteCount == 0 }

  mutating func append(_ bytes: [UInt8]) {
    guard !bytes.isEmpty else { return }
    segments.append(bytes)
    byteCount += bytes.count
  }

  mutating func removeAll() {
    segments.removeAll()
    head = 0
    offset = 0
    byteCount = 0
  }

  /// Writes as much as the socket takes. Returns false when the socket would block with data
  /// still queued (the caller then waits for writability); throws on a failed connection.
  mutating func write(to fd: Int32) throws(SystemError) -> Bool {
    while byteCount > 0 {
      let count = min(segments.count - head, Self.maxIOVecs)
      var iovecs = [iovec](repeating: iovec(), count: count)
      let outcome = try withIOVecs(&iovecs, fd: fd, index: 0).get()
      switch outcome {
      case .wouldBlock:
        return false
      case .bytes(let n):
        consume(n)
      }
    }
    segments.removeAll(keepingCapacity: true)
    head = 0
    offset = 0
    return true
  }

  /// Pins each segment's storage (nested closures keep every pointer valid) and calls writev.
  private func withIOVecs(_ iovecs: inout [iovec], fd: Int32, index: Int)
    -> Result<WriteOutcome, SystemError>
  {
    if index == iovecs.count {
      return iovecs.withUnsafeBufferPointer { p in
        Result { () throws(SystemError) in
          try Syscall.writev(fd, p.baseAddress!, count: Int32(p.count))
        }
      }
    }
    let segment = segments[head + index]
    let skip = index == 0 ? offset : 0
    return segment.withUnsafeBytes { raw in
      iovecs[index] = iovec(
        iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + skip),
        iov_len: raw.count - skip)
      return withIOVecs(&iovecs, fd: fd, index: index + 1)
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
    if head > 256 && head * 2 > segments.count {
      segments.removeFirst(head)
      head = 0
    }
  }
}
