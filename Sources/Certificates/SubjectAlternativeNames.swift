#if canImport(Glibc)
  import Glibc
#endif

/// Validation of names that go into a certificate's subjectAltName, so nothing a caller passes
/// can smuggle extra entries into OpenSSL's comma-separated extension syntax.
enum SubjectAlternativeNames {
  /// Letters, digits, `-` and `.` in non-empty labels, optionally starting with `*.`.
  static func isValidDNSName(_ name: String) -> Bool {
    var rest = Substring(name)
    if rest.hasPrefix("*.") { rest = rest.dropFirst(2) }
    guard !rest.isEmpty, rest.utf8.count <= 253 else { return false }
    for label in rest.split(separator: ".", omittingEmptySubsequences: false) {
      guard !label.isEmpty, label.utf8.count <= 63 else { return false }
      for byte in label.utf8 {
        let ok =
          (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a)
          || (byte >= 0x61 && byte <= 0x7a) || byte == UInt8(ascii: "-")
        if !ok { return false }
      }
    }
    return true
  }

  /// An IPv4 or IPv6 literal (as `inet_pton` reads it).
  static func isValidIPAddress(_ address: String) -> Bool {
    var buffer = [UInt8](repeating: 0, count: 16)
    return inet_pton(AF_INET, address, &buffer) == 1 || inet_pton(AF_INET6, address, &buffer) == 1
  }
}
