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

/// Finds the next CRLF in `buf[from..<limit]`. Every CR must be followed by LF and every LF
/// preceded by CR (anything else is a smuggling vector and throws 400). `limit` bounds the line
/// including its CRLF; it may exceed `buf.count`.
@inline(__always)
func scanLine(
  _ buf: UnsafeBufferPointer<UInt8>, from: Int, limit: Int
) throws(HTTPParseError) -> LineScan {
  let end = min(buf.count, limit)
  var i = from
  while i < end {
    let b = buf[i]
    if b > ASCII.cr {
      i &+= 1
      continue
    }
    if b == ASCII.cr {
      if i &+ 1 >= end { break }
      guard buf[i &+ 1] == ASCII.lf else { throw .bareCR }
      return .found(i)
    }
    if b == ASCII.lf { throw .bareLF }
    i &+= 1
  }
  // No complete CRLF before the limit, and the limit lies inside the buffer: it never will.
  if limit <= buf.count { return .tooLong }
  return .needMore(i)
}
