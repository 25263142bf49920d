import Certificates
import HTTP1

/// Everything the HTTP server needs to know, with the defaults of `itsd serve`.
/// Durations are in milliseconds.
public struct ServerConfiguration: Sendable {
  public var bindAddress = "127.0.0.1"
  /// 0 picks a free port.
  public var port: UInt16 = 8080
  /// Event loops (threads); defaults to the number of cores.
  public var eventLoops = ServerConfiguration.coreCount
  /// Open connections allowed; new ones past this are closed at once.
  public var maxConnections = 10_000
  public var parserLimits = HTTPParserLimits()
  /// A request head must complete within this (slowloris): 408 and close.
  public var requestHeadTimeoutMillis: Int64 = 30_000
  /// A request body that receives nothing for this long: 408 and close.
  public var requestBodyTimeoutMillis: Int64 = 60_000
  /// Idle keep-alive connections (and stalled writes) are closed after this.
  public var idleTimeoutMillis: Int64 = 120_000
  /// Graceful shutdown waits at most this long before closing everything.
  public var shutdownTimeoutMillis: Int64 = 5_000
  /// Unsent response bytes one connection may hold; a stream past it ends as too slow, and
  /// a client pipelining past it is not read until it catches up.
  public var maxOutputBufferBytes = 16 << 20
  /// TLS for every connection (nil: plain HTTP). See `TLSContext.server`.
  public var tls: TLSContext?

  public init() {}

  public static var coreCount: Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }
}

#if canImport(Glibc)
  import Glibc
#endif
