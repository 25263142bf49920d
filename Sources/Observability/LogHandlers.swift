#if canImport(Glibc)
  import Glibc
#endif
import JSON
import Logging
import Synchronization

/// How log lines are written: `text` (`<time> <LEVEL> <label>: <message> key=value…`) or
/// `json` (one object per line: `ts`, `level`, `logger`, `msg`, then the metadata keys).
public enum LogFormat: String, Sendable, CaseIterable {
  case text, json
}

/// Where log lines go: one `write(2)` per line under a lock, so lines from different threads
/// never interleave. Standard error by default; tests pass a collecting closure.
public final class LogSink: Sendable {
  private let lock = Mutex<Void>(())
  private let emit: @Sendable ([UInt8]) -> Void

  public init(_ emit: @escaping @Sendable ([UInt8]) -> Void) {
    self.emit = emit
  }

  /// Standard error.
  public static let standardError = LogSink { bytes in
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { raw in
        Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
      }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { return }
      offset += n
    }
  }

  func write(_ line: [UInt8]) {
    lock.withLock { _ in emit(line) }
  }
}

/// The swift-log handler of `itsd`: one line per event in the configured format.
public struct LineLogHandler: LogHandler {
  public var logLevel: Logger.Level
  public var metadata: Logger.Metadata = [:]
  private let label: String
  private let format: LogFormat
  private let sink: LogSink

  public init(label: String, level: Logger.Level, format: LogFormat, sink: LogSink) {
    self.label = label
    self.logLevel = level
    self.format = format
    self.sink = sink
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    let level = event.level
    let message = event.message
    var merged = metadata
    if let explicit = event.metadata { merged.merge(explicit) { $1 } }
    let time = WallClock.rfc3339(nanoseconds: WallClock.nowNanoseconds(), fractionDigits: 6)
    let keys = merged.keys.sorted()
    var out: [UInt8] = []
    out.reserveCapacity(160)
    switch format {
    case .text:
      out.append(contentsOf: time.utf8)
      out.append(0x20)
      out.append(contentsOf: level.rawValue.uppercased().utf8)
      out.append(0x20)
      out.append(contentsOf: label.utf8)
      out.append(contentsOf: ": ".utf8)
      out.append(contentsOf: message.description.utf8)
      for key in keys {
        out.append(0x20)
        out.append(contentsOf: key.utf8)
        out.append(UInt8(ascii: "="))
        Self.appendText(merged[key]!, to: &out)
      }
    case .json:
      out.append(contentsOf: "{\"ts\":".utf8)
      JSONWriter.appendQuoted(time, to: &out)
      out.append(contentsOf: ",\"level\":".utf8)
      JSONWriter.appendQuoted(level.rawValue, to: &out)
      out.append(contentsOf: ",\"logger\":".utf8)
      JSONWriter.appendQuoted(label, to: &out)
      out.append(contentsOf: ",\"msg\":".utf8)
      JSONWriter.appendQuoted(message.description, to: &out)
      for key in keys where !["ts", "level", "logger", "msg"].contains(key) {
        out.append(UInt8(ascii: ","))
        JSONWriter.appendQuoted(key, to: &out)
        out.append(UInt8(ascii: ":"))
        JSONWriter.append(Self.json(merged[key]!), to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
    out.append(0x0A)
    sink.write(out)
  }

  /// Text values are written bare unless they contain spaces, quotes or `=` (then quoted).
  private static func appendText(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
    let text = value.description
    let plain =
      !text.isEmpty
      && !text.utf8.contains {
        $0 == 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 < 0x20
      }
    if plain {
      out.append(contentsOf: text.utf8)
    } else {
      JSONWriter.appendQuoted(text, to: &out)
    }
  }

  private static func json(_ value: Logger.Metadata.Value) -> JSONValue {
    switch value {
    case .string(let s): return .string(s)
    case .stringConvertible(let c): return .string(c.description)
    case .array(let items): return .array(items.map(json))
    case .dictionary(let d):
      var object = JSONObject()
      for key in d.keys.sorted() { object[key] = json(d[key]!) }
      return .object(object)
    }
  }
}

extension Logger.Level {
  /// Parses `--log-level` (trace, debug, info, notice, warning, error, critical).
  public init?(flag: String) {
    self.init(rawValue: flag.lowercased())
  }
}
