// Strict CRLF line finding shared by the head, chunk-size lines and trailers.

/// Outcome of looking for the end of one line.
enum LineScan {
  /// The line ends with the CRLF whose CR is at this index.
  case found(Int)
  /// No CRLF yet; resume scanning at this index when more bytes arrive.
  case needMore(Int)
  /// The line would extend past the allowed limit.
  case tooLong
}

/// Finds the next CRLF in `buf[from..<limit]`, where `limit` bounds the line including its CRLF
/// and may exceed `buf.count`. Every byte of a line is validated on the way (so later stages
/// need not look at values again): every CR must be followed by LF, every LF preceded by CR, and
/// no other control byte than HTAB (nor DEL) may appear. Anything else throws 400: these are the
/// classic request smuggling vectors.
///
/// Scans eight bytes at a time while they are all printable or obs-text.
@inline(__always)
func scanLine(
  _ buf: UnsafeBufferPointer<UInt8>, from: Int, limit: Int
) throws(HTTPParseError) -> LineScan {
  let end = min(buf.count, limit)
  var i = from
  if let base = buf.baseAddress {
    scan: while i < end {
      while i &+ 8 <= end, !wordHasControlByte(base, i) { i &+= 8 }
      let stop = min(end, i &+ 8)
      while i < stop {
        let b = base[i]
        if b >= ASCII.space && b != ASCII.delete || b == ASCII.tab {
          i &+= 1
          continue
        }
        if b == ASCII.cr {
          if i &+ 1 >= end { break scan }
          guard base[i &+ 1] == ASCII.lf else { throw .bareCR }
          return .found(i)
        }
        if b == ASCII.lf { throw .bareLF }
        throw .controlByte
      }
    }
  }
  // No complete CRLF before the limit, and the limit lies inside the buffer: it never will.
  if limit <= buf.count { return .tooLong }
  return .needMore(i)
}

/// Whether any of the eight bytes at `base + offset` is below 0x20 or is 0x7F (may report a
/// false positive next to a real hit, never a false negative; callers rescan bytewise).
@inline(__always)
func wordHasControlByte(_ base: UnsafePointer<UInt8>, _ offset: Int) -> Bool {
  let w = UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self)
  let high: UInt64 = 0x8080_8080_8080_8080
  let below20 = (w &- 0x2020_2020_2020_2020) & ~w & high
  let t = w ^ 0x7F7F_7F7F_7F7F_7F7F
  let isDelete = (t &- 0x0101_0101_0101_0101) & ~t & high
  return below20 | isDelete != 0
}

/// Index of the first CR at or after `from`; the caller guarantees one exists in `bytes`.
@inline(__always)
func nextCR(_ bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
  firstIndex(of: ASCII.cr, in: bytes, from: from) ?? bytes.count
}

/// Index of the first `byte` at or after `from`, or nil. Skips eight bytes at a time.
@inline(__always)
func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
  guard let base = bytes.baseAddress else { return nil }
  let ones: UInt64 = 0x0101_0101_0101_0101
  let pattern = UInt64(byte) &* ones
  var i = from
  while i &+ 8 <= bytes.count {
    let t = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) ^ pattern
    if (t &- ones) & ~t & 0x8080_8080_8080_8080 != 0 { break }
    i &+= 8
  }
  while i < bytes.count {
    if base[i] == byte { return i }
    i &+= 1
  }
  return nil
}
