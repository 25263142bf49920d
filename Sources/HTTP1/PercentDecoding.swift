// Percent-decoding (RFC 3986 §2.1) for paths and form-style query strings.

/// Decodes `%XX` escapes in `string` exactly once; with `plusAsSpace`, `+` means a space (HTML
/// forms, Go's `url.QueryUnescape`). Returns nil when an escape is not `%` followed by two hex
/// digits. Invalid UTF-8 produced by decoding becomes U+FFFD.
public func percentDecode(_ string: String, plusAsSpace: Bool = false) -> String? {
  var s = string
  return s.withUTF8 { bytes in
    var out: [UInt8] = []
    guard percentDecodeBytes(bytes, plusAsSpace: plusAsSpace, into: &out) else { return nil }
    return String(decoding: out, as: UTF8.self)
  }
}

/// Whether `bytes` contains a byte that decoding would change (`%`, or `+` with `plusAsSpace`).
@inline(__always)
func needsPercentDecoding(_ bytes: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool) -> Bool {
  for b in bytes where b == ASCII.percent || (plusAsSpace && b == ASCII.plus) { return true }
  return false
}

/// Appends the decoded form of `bytes` to `out`. Returns false on an invalid escape.
func percentDecodeBytes(
  _ bytes: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool, into out: inout [UInt8]
) -> Bool {
  out.reserveCapacity(out.count + bytes.count)
  var i = 0
  while i < bytes.count {
    let b = bytes[i]
    if b == ASCII.percent {
      guard i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2])
      else { return false }
      out.append(UInt8(hi << 4 | lo))
      i += 3
    } else {
      out.append(plusAsSpace && b == ASCII.plus ? ASCII.space : b)
      i += 1
    }
  }
  return true
}

/// Decodes a request component to a String, throwing 400 on an invalid escape (or, with
/// `rejectNUL`, on an escape that decodes to NUL).
func decodeComponent(
  _ bytes: UnsafeBufferPointer<UInt8>, plusAsSpace: Bool, rejectNUL: Bool, what: String
) throws(HTTPParseError) -> String {
  guard needsPercentDecoding(bytes, plusAsSpace: plusAsSpace) else { return stringFromBytes(bytes) }
  var out: [UInt8] = []
  guard percentDecodeBytes(bytes, plusAsSpace: plusAsSpace, into: &out) else {
    throw .badRequest("invalid percent-escape in \(what)")
  }
  if rejectNUL && out.contains(0) { throw .badRequest("NUL byte in \(what)") }
  return String(decoding: out, as: UTF8.self)
}
