#if canImport(Glibc)
  import Glibc
#endif

/// Validation of names that go into a certificate's subjectAltName, so nothing a caller passes
/// can smuggle extra entries into OpenSSL's comma-separated extension syntax.
public enum SubjectAlternativeNames {
  /// Letters, digits, `-` and `.` in non-empty labels, optionally starting with `*.`.
  public static func isValidDNSName(_ name: String) -> Bool {
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
  public static func isValidIPAddress(_ address: String) -> Bool {
    canonicalIPAddress(address) != nil
  }

  /// An IP literal in the form `Certificate.ipAddresses` reports (`::1`, not `0:0:...:1`).
  public static func canonicalIPAddress(_ address: String) -> String? {
    var buffer = [UInt8](repeating: 0, count: 16)
    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
    for family in [AF_INET, AF_INET6] where inet_pton(family, address, &buffer) == 1 {
      guard inet_ntop(family, buffer, &text, socklen_t(text.count)) != nil else { return nil }
      return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
    return nil
  }
}
