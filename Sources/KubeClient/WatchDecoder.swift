import JSON

/// One event of a Kubernetes watch stream (`{"type":…,"object":…}`).
public struct WatchEvent: Sendable {
  public enum Kind: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
  }

  public var kind: Kind
  /// The object (a `Status` for `ERROR`).
  public var object: JSONValue

  public init(kind: Kind, object: JSONValue) {
    self.kind = kind
    self.object = object
  }

  /// `object.metadata.resourceVersion`, if present.
  public var resourceVersion: String? { object["metadata"]?["resourceVersion"]?.stringValue }
}

/// Splits the body of a watch response (newline-delimited JSON, one event per line, in chunks
/// that need not align with lines) into events. I/O-free; fed whatever bytes arrive.
///
/// Invariant: `pending` holds the bytes of at most one incomplete line.
public struct WatchDecoder {
  private var pending: [UInt8] = []
  public let maxEventBytes: Int

  public init(maxEventBytes: Int = 16 << 20) { self.maxEventBytes = maxEventBytes }

  /// Consumes `bytes`; returns the events completed by them, in order.
  public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(ClientError) -> [WatchEvent] {
    var events: [WatchEvent] = []
    var start = 0
    var i = 0
    while i < bytes.count {
      if bytes[i] == 0x0A {
        if pending.isEmpty {
          if let e = try Self.decode(UnsafeRawBufferPointer(rebasing: bytes[start..<i])) {
            events.append(e)
          }
        } else {
          pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
          let line = pending
          pending.removeAll(keepingCapacity: true)
          let decoded = line.withUnsafeBytes { raw in
            Result { () throws(ClientError) in try Self.decode(raw) }
          }
          if let e = try decoded.get() { events.append(e) }
        }
        start = i + 1
      }
      i += 1
    }
    if start < bytes.count {
      pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<bytes.count]))
      if pending.count > maxEventBytes { throw ClientError.protocolError("watch event too large") }
    }
    return events
  }

  /// True when bytes of an incomplete event are buffered.
  public var hasPartialEvent: Bool { !pending.isEmpty }

  private static func decode(_ line: UnsafeRawBufferPointer) throws(ClientError) -> WatchEvent? {
    if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { return nil }
    let value: JSONValue
    do {
      value = try JSONParser.parse(line)
    } catch {
      throw ClientError.protocolError("watch event is not JSON: \(error)")
    }
    guard let type = value["type"]?.stringValue, let kind = WatchEvent.Kind(rawValue: type),
      let object = value["object"]
    else { throw ClientError.protocolError("watch event without type/object") }
    return WatchEvent(kind: kind, object: object)
  }
}
