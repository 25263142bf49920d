/// kube's bearer-token request authenticator
/// (`k8s.io/apiserver/pkg/authentication/request/bearertoken`) on the header's UTF-8 bytes:
/// Go's `strings.TrimSpace`, then the text before the first " " must be `bearer` in any ASCII
/// case (no other scalar lowercases to those letters) and the token is the non-empty text
/// between that space and the next one (or the end). Anything else is not a bearer credential.
extension RequestAuthenticator {
  /// The token of `Authorization: Bearer <token>`, or nil when the header is absent or not a
  /// bearer credential (kube then treats the request as anonymous).
  static func bearerToken(_ header: String?) -> String? {
    guard var header else { return nil }
    return header.withUTF8 { bytes -> String? in
      let text = goTrimmingSpace(bytes)
      let scheme = text.lowerBound
      // "bearer", one space, at least one token byte.
      guard text.count >= 8, bytes[scheme + 6] == 0x20, bytes[scheme + 7] != 0x20 else {
        return nil
      }
      // Setting bit 5 lowercases the ASCII letters and maps no other byte onto them.
      func lower(_ i: Int) -> UInt8 { bytes[scheme + i] | 0x20 }
      guard lower(0) == UInt8(ascii: "b"), lower(1) == UInt8(ascii: "e"),
        lower(2) == UInt8(ascii: "a"), lower(3) == UInt8(ascii: "r"),
        lower(4) == UInt8(ascii: "e"), lower(5) == UInt8(ascii: "r")
      else { return nil }
      var end = scheme + 8
      while end < text.upperBound && bytes[end] != 0x20 { end += 1 }
      return String(
        decoding: UnsafeBufferPointer(rebasing: bytes[(scheme + 7)..<end]), as: UTF8.self)
    }
  }

  /// The part of valid UTF-8 `bytes` Go's `strings.TrimSpace` keeps: without leading and
  /// trailing `unicode.IsSpace` scalars.
  static func goTrimmingSpace(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
    var lo = 0
    var hi = bytes.count
    while lo < hi, let length = spaceLength(bytes, at: lo, end: hi) { lo += length }
    while hi > lo {
      var start = hi - 1
      while start > lo && bytes[start] & 0xC0 == 0x80 { start -= 1 }
      guard spaceLength(bytes, at: start, end: hi) == hi - start else { break }
      hi = start
    }
    return lo..<hi
  }

  /// The byte length of the scalar at `i` when it is white space to Go's `unicode.IsSpace`
  /// (the Unicode White_Space property), else nil.
  private static func spaceLength(_ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
    let c = b[i]
    if c < 0x80 { return c == 0x20 || (c >= 0x09 && c <= 0x0D) ? 1 : nil }
    if c == 0xC2, i + 1 < end { return b[i + 1] == 0x85 || b[i + 1] == 0xA0 ? 2 : nil }
    guard c >= 0xE1, c <= 0xE3, i + 2 < end else { return nil }
    let v = UInt32(c & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
    switch v {
    case 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return 3
    default: return nil
    }
  }
}
