import COpenSSL

/// A failure in key, certificate or TLS work. `description` is a complete sentence fragment
/// meant for logs and error responses ("cannot parse certificate: ..."); when OpenSSL reported
/// the cause, its error queue is appended (and cleared).
public struct CertificateError: Error, CustomStringConvertible, Sendable {
  public let description: String

  public init(_ description: String) {
    self.description = description
  }

  /// `message` followed by whatever OpenSSL queued on this thread (the queue is emptied).
  static func openSSL(_ message: String) -> CertificateError {
    let reasons = OpenSSLErrorQueue.drain()
    return CertificateError(reasons.isEmpty ? message : "\(message): \(reasons)")
  }
}

/// OpenSSL's per-thread error queue, read as text.
enum OpenSSLErrorQueue {
  /// Every queued error as "reason; reason", emptying the queue.
  static func drain() -> String {
    var parts: [String] = []
    while true {
      let code = ERR_get_error()
      if code == 0 { break }
      var buffer = [CChar](repeating: 0, count: 256)
      ERR_error_string_n(code, &buffer, buffer.count)
      let text = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      if !parts.contains(text) { parts.append(text) }
    }
    return parts.joined(separator: "; ")
  }

  /// Forgets queued errors (after an expected failure such as "not an IP address").
  static func clear() { ERR_clear_error() }
}
