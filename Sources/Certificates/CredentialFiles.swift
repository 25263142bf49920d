#if canImport(Glibc)
  import Glibc
#endif

/// Reading and writing certificate and key files. Errors name the file and what was wrong
/// with it ("cannot read /x/serving.key: No such file or directory", "... does not match ...").
/// Files written here are created with mode 0600 (replaced atomically via a temporary file).
public enum CredentialFiles {
  /// A certificate chain (leaf first) and the leaf's private key.
  public struct KeyPair: Sendable {
    public let chain: [Certificate]
    public let key: PrivateKey

    /// The leaf (first) certificate.
    public var certificate: Certificate { chain[0] }
  }

  /// Loads a PEM certificate file (leaf first, then any intermediates) and its PEM key file,
  /// checking that the key belongs to the leaf.
  public static func loadKeyPair(certificateFile: String, keyFile: String)
    throws(CertificateError) -> KeyPair
  {
    let chain = try loadCertificates(certificateFile)
    let keyText = try readText(keyFile)
    let key: PrivateKey
    do {
      key = try PrivateKey(pem: keyText)
    } catch {
      throw CertificateError("\(keyFile): \(error.description)")
    }
    guard chain[0].matches(key) else {
      throw CertificateError(
        "private key \(keyFile) does not match certificate \(certificateFile)")
    }
    return KeyPair(chain: chain, key: key)
  }

  /// Every certificate in a PEM bundle file (at least one).
  public static func loadCertificates(_ path: String) throws(CertificateError) -> [Certificate] {
    let text = try readText(path)
    do {
      return try Certificate.bundle(pem: text)
    } catch {
      throw CertificateError("\(path): \(error.description)")
    }
  }

  /// The whole file as bytes.
  public static func read(_ path: String) throws(CertificateError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw CertificateError("cannot read \(path): \(errorText())") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16 * 1024)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw CertificateError("cannot read \(path): \(errorText())")
      }
      if n == 0 { break }
      bytes += chunk[0..<n]
      if bytes.count > 16 << 20 { throw CertificateError("\(path) is larger than 16 MiB") }
    }
    return bytes
  }

  /// Writes `bytes` to `path` with mode 0600: a temporary file in the same directory,
  /// fsync'd, then renamed over `path`.
  public static func write(_ bytes: [UInt8], to path: String) throws(CertificateError) {
    let temporary = "\(path).tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw CertificateError("cannot write \(path): \(errorText())") }
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes {
        Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset)
      }
      if n < 0 {
        if errno == EINTR { continue }
        let message = errorText()
        close(fd)
        unlink(temporary)
        throw CertificateError("cannot write \(path): \(message)")
      }
      offset += n
    }
    fchmod(fd, 0o600)
    let synced = fsync(fd) == 0
    close(fd)
    guard synced, rename(temporary, path) == 0 else {
      let message = errorText()
      unlink(temporary)
      throw CertificateError("cannot write \(path): \(message)")
    }
  }

  /// Writes text (see `write(_:to:)`).
  public static func write(_ text: String, to path: String) throws(CertificateError) {
    try write(Array(text.utf8), to: path)
  }

  /// True when `path` names an existing file.
  public static func exists(_ path: String) -> Bool {
    access(path, F_OK) == 0
  }

  private static func readText(_ path: String) throws(CertificateError) -> String {
    String(decoding: try read(path), as: UTF8.self)
  }

  private static func errorText() -> String {
    String(cString: strerror(errno))
  }
}
