import JSON

/// One committed version of an object: immutable, shared by the store, lists, watch frames and
/// the event history.
///
/// `bytes` are the canonical JSON serialization with `metadata.resourceVersion` equal to
/// `revision`, produced once at commit; GET, LIST and watch frames write them as they are.
/// The metadata the server reasons about (labels, selectable fields, uid, deletion state) is
/// extracted once too.
public final class StoredObject: Sendable {
  public let key: ObjectKey
  /// The revision of the write that produced this version (etcd's mod revision).
  public let revision: Revision
  /// The revision of the create that started this object's life (etcd's create revision).
  public let createRevision: Revision
  /// Canonical JSON of the object, `metadata.resourceVersion` = `revision`.
  public let bytes: [UInt8]
  /// `bytes[rvStart..<rvEnd]` is the quoted resourceVersion value.
  let rvStart: UInt32
  let rvEnd: UInt32
  let metadata: ObjectMetadata
  /// `contentHashOf` the bytes without the resourceVersion value (see `PreparedObject`).
  let contentHash: UInt64

  /// `metadata.uid`.
  public var uid: String? { metadata.uid }
  /// `metadata.labels` (string values).
  public var labels: [String: String] { metadata.labels }
  /// Selectable fields supplied by the writer (e.g. `metadata.name`, `status.phase`).
  public var fields: [String: String] { metadata.fields }
  /// Whether `metadata.deletionTimestamp` is set.
  public var isDeleting: Bool { metadata.isDeleting }
  /// `metadata.finalizers`.
  public var finalizers: [String] { metadata.finalizers }

  init(
    key: ObjectKey, revision: Revision, createRevision: Revision, bytes: [UInt8], rvStart: UInt32,
    rvEnd: UInt32, metadata: ObjectMetadata, contentHash: UInt64
  ) {
    self.key = key
    self.revision = revision
    self.createRevision = createRevision
    self.bytes = bytes
    self.rvStart = rvStart
    self.rvEnd = rvEnd
    self.metadata = metadata
    self.contentHash = contentHash
  }

  public var name: String { key.name }
  public var namespace: String { key.namespace }
  /// The decimal `resourceVersion` string.
  public var resourceVersion: String { String(revision) }

  /// The object as a JSON value (`metadata.resourceVersion` = `revision`), parsed from `bytes`
  /// on each access: versions are kept as bytes only, which halves their memory (a JSON tree
  /// of a 1 KiB object costs about 2.5 KiB more) and makes commits and evictions cheaper.
  public var object: JSONValue {
    do {
      return try JSONParser.parse(bytes)
    } catch {
      preconditionFailure("stored bytes of \(key) do not parse: \(error)")
    }
  }

  /// The same content stamped with another revision (a DELETED event carries the deletion
  /// revision; an object leaving a watch's selector carries the revision that moved it out).
  func restamped(_ newRevision: Revision) -> StoredObject {
    if newRevision == revision { return self }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + 4)
    bytes.withUnsafeBufferPointer { b in
      out.append(contentsOf: UnsafeBufferPointer(rebasing: b[..<Int(rvStart)]))
      out.append(UInt8(ascii: "\""))
      Revision.appendDecimal(newRevision, to: &out)
      out.append(UInt8(ascii: "\""))
    }
    let end = out.count
    bytes.withUnsafeBufferPointer { b in
      out.append(contentsOf: UnsafeBufferPointer(rebasing: b[Int(rvEnd)...]))
    }
    return StoredObject(
      key: key, revision: newRevision, createRevision: createRevision, bytes: out,
      rvStart: rvStart, rvEnd: UInt32(end), metadata: metadata, contentHash: contentHash)
  }
}
