import JSON
import Synchronization

/// The `type` of a watch event on the wire.
public enum WatchEventType: String, Sendable, Equatable {
  case added = "ADDED"
  case modified = "MODIFIED"
  case deleted = "DELETED"
  case bookmark = "BOOKMARK"
  case error = "ERROR"
}

/// One line of a watch stream, `{"type":"…","object":<body>}\n`, built once per (event, type)
/// and shared by every watcher that receives it.
///
/// Nothing is copied per watcher: the line is `prefix` + `body` + `WatchFrame.suffix`, where
/// `prefix` is a shared constant per type and `body` is the stored object's own canonical bytes
/// (or a small bookmark/Status document). Write the three parts with `writev`, or use `bytes`.
/// A consumer that encodes the line for its wire (the HTTP layer frames it as one chunk) can
/// cache that encoding here with `encoded(_:)`, so it is built once per frame, not per watcher.
public final class WatchFrame: Sendable {
  public let type: WatchEventType
  /// The revision this frame brings its watcher to (the object's revision; a bookmark's).
  public let revision: Revision
  /// The object for ADDED/MODIFIED/DELETED, nil for BOOKMARK and ERROR.
  public let object: StoredObject?
  /// The JSON of the `object` member.
  public let body: [UInt8]
  /// Length of the whole line in bytes.
  public let byteCount: Int
  /// One consumer encoding of this frame, set once by the first `encoded` call: the bits of a
  /// retained object reference (0: none yet), read with one atomic load since every loop thread
  /// reads it for every watcher (a lock, or `AtomicLazyReference`'s generic load, cost several
  /// times the rest of the frame's delivery). Released in `deinit`; never replaced.
  @usableFromInline let encoding = Atomic<UInt>(0)

  init(type: WatchEventType, object: StoredObject) {
    self.type = type
    self.revision = object.revision
    self.object = object
    self.body = object.bytes
    byteCount = Self.prefix(type).count + body.count + Self.suffix.count
  }

  init(type: WatchEventType, revision: Revision, body: [UInt8]) {
    self.type = type
    self.revision = revision
    self.object = nil
    self.body = body
    byteCount = Self.prefix(type).count + body.count + Self.suffix.count
  }

  /// `{"type":"<TYPE>","object":`
  public var prefix: [UInt8] { Self.prefix(type) }

  private static func prefix(_ type: WatchEventType) -> [UInt8] {
    switch type {
    case .added: framePrefixAdded
    case .modified: framePrefixModified
    case .deleted: framePrefixDeleted
    case .bookmark: framePrefixBookmark
    case .error: framePrefixError
    }
  }

  /// `}` and the newline that ends every frame.
  public static let suffix: [UInt8] = [UInt8(ascii: "}"), UInt8(ascii: "\n")]

  /// The encoding of this frame as `T`, built by `make` on the first call and shared by every
  /// later caller (every watcher that receives the frame). Safe from any thread; the cache holds
  /// one encoding, so a caller asking for another type gets a fresh, uncached one.
  public func encoded<T: AnyObject & Sendable>(_ make: (WatchFrame) -> T) -> T {
    let bits = encoding.load(ordering: .acquiring)
    if bits != 0 { return Self.object(bits) as? T ?? make(self) }
    let made = make(self)
    let mine = UInt(bitPattern: Unmanaged<AnyObject>.passRetained(made).toOpaque())
    let (stored, current) = encoding.compareExchange(
      expected: 0, desired: mine, ordering: .acquiringAndReleasing)
    if stored { return made }
    Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(bitPattern: mine)!).release()
    return Self.object(current) as? T ?? made
  }

  /// Calls `body` with `encoded(make)` lent for the call: a cached encoding is neither retained
  /// nor released, which matters because every loop thread touches it for every watcher (its
  /// reference count would be one contended cache line). Inlinable so that it is specialized
  /// for the caller's `T` (unspecialized, the generic plumbing cost more than the delivery).
  @inlinable
  public func withEncoded<T: AnyObject & Sendable>(
    _ make: (WatchFrame) -> T, _ body: (T) -> Void
  ) {
    let bits = encoding.load(ordering: .acquiring)
    if bits != 0 {
      let cached = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!)
      let lent = cached._withUnsafeGuaranteedRef { object -> Bool in
        // The cache holds one type: an exact type match makes the downcast free.
        guard Swift.type(of: object) == T.self else { return false }
        body(unsafeDowncast(object, to: T.self))
        return true
      }
      if lent { return }
    }
    body(encoded(make))
  }

  private static func object(_ bits: UInt) -> AnyObject {
    Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).takeUnretainedValue()
  }

  deinit {
    let bits = encoding.load(ordering: .acquiring)
    if bits != 0 { Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).release() }
  }

  /// Appends the whole line to `buffer`.
  public func append(to buffer: inout [UInt8]) {
    buffer.append(contentsOf: prefix)
    buffer.append(contentsOf: body)
    buffer.append(contentsOf: WatchFrame.suffix)
  }

  /// The whole line as one array (a copy; prefer `prefix`/`body`/`suffix` with writev).
  public var bytes: [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(byteCount)
    append(to: &out)
    return out
  }

  /// A BOOKMARK: `{"kind":K,"apiVersion":AV,"metadata":{"resourceVersion":"N"}}`, plus the
  /// `k8s.io/initial-events-end: "true"` annotation for the end of a WatchList's initial events.
  static func bookmark(kind: String, apiVersion: String, revision: Revision, initialEventsEnd: Bool)
    -> WatchFrame
  {
    var b: [UInt8] = []
    b.reserveCapacity(128)
    b.append(contentsOf: Array(#"{"kind":"#.utf8))
    JSONWriter.appendQuoted(kind, to: &b)
    b.append(contentsOf: Array(#","apiVersion":"#.utf8))
    JSONWriter.appendQuoted(apiVersion, to: &b)
    b.append(contentsOf: Array(#","metadata":{"resourceVersion":""#.utf8))
    Revision.appendDecimal(revision, to: &b)
    b.append(UInt8(ascii: "\""))
    if initialEventsEnd {
      b.append(contentsOf: Array(#","annotations":{"k8s.io/initial-events-end":"true"}"#.utf8))
    }
    b.append(contentsOf: Array("}}".utf8))
    return WatchFrame(type: .bookmark, revision: revision, body: b)
  }

  /// An ERROR carrying a 410 `Expired` Status with `message`.
  static func expired(_ message: String, revision: Revision) -> WatchFrame {
    let status = JSONValue.object(
      JSONObject([
        ("kind", .string("Status")), ("apiVersion", .string("v1")), ("metadata", .object(.init())),
        ("status", .string("Failure")), ("message", .string(message)),
        ("reason", .string("Expired")), ("code", .int(410)),
      ]))
    return WatchFrame(type: .error, revision: revision, body: status.serialized())
  }
}

private let framePrefixAdded = Array(#"{"type":"ADDED","object":"#.utf8)
private let framePrefixModified = Array(#"{"type":"MODIFIED","object":"#.utf8)
private let framePrefixDeleted = Array(#"{"type":"DELETED","object":"#.utf8)
private let framePrefixBookmark = Array(#"{"type":"BOOKMARK","object":"#.utf8)
private let framePrefixError = Array(#"{"type":"ERROR","object":"#.utf8)
