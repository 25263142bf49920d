import HTTPServer

/// Every `itsd serve` setting, with its default. The same names serve as command-line flags
/// (`--idle-timeout 2m`) and as keys of the YAML file given by `--config` (`idle-timeout: 2m`);
/// both go through `set(_:_:)`, flags after the file, so flags win.
struct Settings: Equatable {
  var bindAddress = "127.0.0.1"
  var port: UInt16 = 8080
  var dataDir = ".itsd"
  var eventLoops = ServerConfiguration.coreCount
  var maxConnections = 10_000
  var maxRequestHeadBytes = 1 << 20
  var maxRequestBodyBytes = 3 << 20
  var maxHeaderCount = 1000
  var requestHeadTimeoutMillis: Int64 = 30_000
  var requestBodyTimeoutMillis: Int64 = 60_000
  var idleTimeoutMillis: Int64 = 120_000
  var shutdownTimeoutMillis: Int64 = 5_000
  var maxOutputBufferBytes = 16 << 20
  var watchHistorySize = 10_000
  var watchHistoryAgeMillis: Int64 = 300_000
  var secure = false
  var tlsCertFile = ""
  var tlsPrivateKeyFile = ""
  var clientCAFile = ""
  var tokenAuthFile = ""
  var logLevel = "info"
  var logFormat = "text"
  var auditLogPath = ""
  var maxRequestsInflight = 400
  var maxMutatingRequestsInflight = 200
  var autoAccept = false
  var simulatedWECs = 0

  /// Every key, in the order of `config/itsd.yaml`.
  static let keys = [
    "bind-address", "port", "data-dir", "event-loops", "max-connections",
    "max-request-head-bytes", "max-request-body-bytes", "max-header-count",
    "request-head-timeout", "request-body-timeout", "idle-timeout", "shutdown-timeout",
    "max-output-buffer-bytes", "watch-history-size", "watch-history-age",
    "secure", "tls-cert-file", "tls-private-key-file", "client-ca-file",
    "log-level", "log-format", "audit-log-path", "max-requests-inflight",
    "max-mutating-requests-inflight", "auto-accept", "token-auth-file",
    "simulated-wecs",
  ]

  /// Applies one setting given as text. Throws a message naming the key on a bad value.
  mutating func set(_ key: String, _ value: String) throws(SettingsError) {
    switch key {
    case "bind-address": bindAddress = value
    case "port": port = try Self.integer(key, value, in: 0...65_535).narrowed()
    case "data-dir":
      guard !value.isEmpty else { throw SettingsError("data-dir must not be empty") }
      dataDir = value
    case "event-loops": eventLoops = try Self.integer(key, value, in: 1...256)
    case "max-connections": maxConnections = try Self.integer(key, value, in: 1...1_000_000)
    case "max-request-head-bytes":
      maxRequestHeadBytes = try Self.integer(key, value, in: 1024...(64 << 20))
    case "max-request-body-bytes":
      maxRequestBodyBytes = try Self.integer(key, value, in: 0...(1 << 30))
    case "max-header-count": maxHeaderCount = try Self.integer(key, value, in: 1...100_000)
    case "request-head-timeout": requestHeadTimeoutMillis = try Self.duration(key, value)
    case "request-body-timeout": requestBodyTimeoutMillis = try Self.duration(key, value)
    case "idle-timeout": idleTimeoutMillis = try Self.duration(key, value)
    case "shutdown-timeout": shutdownTimeoutMillis = try Self.duration(key, value)
    case "max-output-buffer-bytes":
      maxOutputBufferBytes = try Self.integer(key, value, in: 4096...(1 << 30))
    case "watch-history-size": watchHistorySize = try Self.integer(key, value, in: 1...10_000_000)
    case "watch-history-age": watchHistoryAgeMillis = try Self.duration(key, value, allowZero: true)
    case "secure":
      guard value == "true" || value == "false" else {
        throw SettingsError("secure: \"\(value)\" is not true or false")
      }
      secure = value == "true"
    case "simulated-wecs": simulatedWECs = try Self.integer(key, value, in: 0...100_000)
    case "auto-accept":
      guard value == "true" || value == "false" else {
        throw SettingsError("auto-accept: \"\(value)\" is not true or false")
      }
      autoAccept = value == "true"
    case "tls-cert-file": tlsCertFile = value
    case "tls-private-key-file": tlsPrivateKeyFile = value
    case "client-ca-file": clientCAFile = value
    case "token-auth-file": tokenAuthFile = value
    case "log-level":
      let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
      guard levels.contains(value) else {
        throw SettingsError(
          "log-level: \"\(value)\" is not one of \(levels.joined(separator: ", "))")
      }
      logLevel = value
    case "log-format":
      guard value == "text" || value == "json" else {
        throw SettingsError("log-format: \"\(value)\" is not text or json")
      }
      logFormat = value
    case "audit-log-path": auditLogPath = value
    case "max-requests-inflight":
      maxRequestsInflight = try Self.integer(key, value, in: 0...1_000_000)
    case "max-mutating-requests-inflight":
      maxMutatingRequestsInflight = try Self.integer(key, value, in: 0...1_000_000)
    default:
      throw SettingsError(
        "unknown setting \"\(key)\" (known: \(Self.keys.joined(separator: ", ")))")
    }
  }

  /// TLS is on with `--secure` or a serving certificate file.
  var tlsEnabled: Bool { secure || !tlsCertFile.isEmpty }

  /// Authentication and RBAC are enforced with TLS or a token file; otherwise (plain HTTP
  /// development) every request is an administrator.
  var authenticationEnabled: Bool { tlsEnabled || !tokenAuthFile.isEmpty }

  /// Settings that only make sense together.
  func validate() throws(SettingsError) {
    if tlsCertFile.isEmpty != tlsPrivateKeyFile.isEmpty {
      throw SettingsError("tls-cert-file and tls-private-key-file must be given together")
    }
    if !clientCAFile.isEmpty && !tlsEnabled {
      throw SettingsError("client-ca-file needs TLS (--secure or --tls-cert-file)")
    }
  }

  /// The HTTP server's part of the settings.
  var serverConfiguration: ServerConfiguration {
    var c = ServerConfiguration()
    c.bindAddress = bindAddress
    c.port = port
    c.eventLoops = eventLoops
    c.maxConnections = maxConnections
    c.parserLimits.maxHeadBytes = maxRequestHeadBytes
    c.parserLimits.maxBodyBytes = maxRequestBodyBytes
    c.parserLimits.maxHeaderCount = maxHeaderCount
    c.requestHeadTimeoutMillis = requestHeadTimeoutMillis
    c.requestBodyTimeoutMillis = requestBodyTimeoutMillis
    c.idleTimeoutMillis = idleTimeoutMillis
    c.shutdownTimeoutMillis = shutdownTimeoutMillis
    c.maxOutputBufferBytes = maxOutputBufferBytes
    return c
  }

  private static func integer(_ key: String, _ value: String, in range: ClosedRange<Int>)
    throws(SettingsError) -> Int
  {
    guard let n = Int(value), range.contains(n) else {
      throw SettingsError(
        "\(key): \"\(value)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)"
      )
    }
    return n
  }

  private static func duration(_ key: String, _ value: String, allowZero: Bool = false)
    throws(SettingsError) -> Int64
  {
    guard let ms = DurationText.milliseconds(value), ms > 0 || (allowZero && ms == 0) else {
      throw SettingsError(
        "\(key): \"\(value)\" is not a \(allowZero ? "" : "positive ")duration such as 250ms, 30s, 5m or 1h"
      )
    }
    return ms
  }
}

/// A setting that could not be applied; the message is shown to the user as is.
struct SettingsError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

extension Int {
  fileprivate func narrowed() -> UInt16 { UInt16(self) }
}
