import JSON

/// An object ready to be committed: validated shape, metadata extracted and canonical bytes
/// serialized with a gap where the `metadata.resourceVersion` value goes, so that stamping it
/// with its revision (inside the backend's critical section) is a single copy, not a
/// serialization.
///
/// Invariant: `template[..<gap]` + `"<revision>"` + `template[gap...]` is the canonical
/// serialization of the object with `metadata.resourceVersion` set to that revision (in place
/// if the member existed, else appended to `metadata`).
public final class PreparedObject: Sendable {
  public let key: ObjectKey
  let template: [UInt8]
  let gap: Int
  let metadata: ObjectMetadata

  /// Prepares `object` for `key`. `fields` are the selectable fields the caller computed
  /// (e.g. `metadata.name`, `status.phase`). Throws `invalidObject` unless `object` is a JSON
  /// object with a `metadata` object.
  public init(key: ObjectKey, object: JSONValue, fields: [String: String] = [:]) throws(StoreError)
  {
    guard case .object(let top) = object else {
      throw .invalidObject("the object for \(key) is not a JSON object")
    }
    guard case .object(let meta)? = top["metadata"] else {
      throw .invalidObject("the object for \(key) has no metadata object")
    }
    self.key = key
    let uid = meta["uid"].flatMap { if case .string(let s) = $0 { s } else { nil } }
    var labels: [String: String] = [:]
    if case .object(let l)? = meta["labels"] {
      for m in l.members { if case .string(let v) = m.value { labels[m.key] = v } }
    }
    var isDeleting = false
    if let ts = meta["deletionTimestamp"], ts != .null { isDeleting = true }
    var finalizers: [String] = []
    if case .array(let f)? = meta["finalizers"] {
      for v in f { if case .string(let s) = v { finalizers.append(s) } }
    }
    metadata = ObjectMetadata(
      uid: uid, labels: labels, fields: fields, isDeleting: isDeleting, finalizers: finalizers)
    (template, gap) = Self.serializeWithGap(top)
  }

  /// Serializes `top` leaving out the value of `metadata.resourceVersion` (appending the member
  /// to `metadata` if absent); returns the bytes and the offset where that value belongs.
  static func serializeWithGap(_ top: JSONObject) -> ([UInt8], Int) {
    let (bytes, gap) = JSONWriter.serializeWithGap(top, outer: "metadata", inner: "resourceVersion")
    return (bytes, gap)
  }

  /// The committed version of this object at `revision` (created at `createRevision`).
  public func stamped(revision: Revision, createRevision: Revision) -> StoredObject {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(template.count + 22)
    template.withUnsafeBufferPointer { t in
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: t[..<gap]))
      bytes.append(UInt8(ascii: "\""))
      Revision.appendDecimal(revision, to: &bytes)
      bytes.append(UInt8(ascii: "\""))
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: t[gap...]))
    }
    return StoredObject(
      key: key, revision: revision, createRevision: createRevision, bytes: bytes,
      rvStart: UInt32(gap), rvEnd: UInt32(bytes.count - (template.count - gap)), metadata: metadata)
  }

  /// Whether committing this object over `current` would change nothing but the revision
  /// (kube-apiserver skips such writes: no new revision, no event).
  public func isUnchanged(from current: StoredObject) -> Bool {
    guard metadata.fields == current.fields else { return false }
    let start = Int(current.rvStart)
    let end = Int(current.rvEnd)
    guard gap == start, template.count - gap == current.bytes.count - end else { return false }
    return template.withUnsafeBytes { t in
      current.bytes.withUnsafeBytes { c in
        bytesEqual(
          UnsafeRawBufferPointer(rebasing: t[..<gap]), UnsafeRawBufferPointer(rebasing: c[..<start])
        )
          && bytesEqual(
            UnsafeRawBufferPointer(rebasing: t[gap...]), UnsafeRawBufferPointer(rebasing: c[end...])
          )
      }
    }
  }
}

/// Byte equality, eight bytes at a time.
func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
  guard a.count == b.count else { return false }
  var i = 0
  let n = a.count
  while i + 8 <= n {
    if a.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      != b.loadUnaligned(fromByteOffset: i, as: UInt64.self)
    {
      return false
    }
    i += 8
  }
  while i < n {
    if a[i] != b[i] { return false }
    i += 1
  }
  return true
}

/// The metadata the server reasons about, extracted once per write and shared by every
/// `StoredObject` stamped from it (a restamped DELETED shares it too).
final class ObjectMetadata: Sendable {
  let uid: String?
  let labels: [String: String]
  let fields: [String: String]
  let isDeleting: Bool
  let finalizers: [String]

  init(
    uid: String?, labels: [String: String], fields: [String: String], isDeleting: Bool,
    finalizers: [String]
  ) {
    self.uid = uid
    self.labels = labels
    self.fields = fields
    self.isDeleting = isDeleting
    self.finalizers = finalizers
  }
}
