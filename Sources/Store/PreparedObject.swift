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
  /// The serializer's own buffer, owned by this object (freed by `deinit`, never written after
  /// `init`): keeping it saves copying it into an array, which would be copied again to stamp.
  nonisolated(unsafe) let template: UnsafeBufferPointer<UInt8>
  let gap: Int
  let metadata: ObjectMetadata
  /// `contentHashOf(template)`: equal for equal content whatever the revision, so most changed
  /// updates are told from no-ops without reading the current version's (cold) bytes.
  let contentHash: UInt64

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
    metadata = ObjectMetadata(meta, fields: fields)
    // `metadata.resourceVersion`'s value left out (the member appended to `metadata` if absent).
    let (bytes, gap) = JSONWriter.serializeWithGap(top, outer: "metadata", inner: "resourceVersion")
    template = UnsafeBufferPointer(bytes)
    self.gap = gap
    contentHash = contentHashOf(UnsafeRawBufferPointer(template))
  }

  deinit { template.deallocate() }

  /// The committed version of this object at `revision` (created at `createRevision`).
  public func stamped(revision: Revision, createRevision: Revision) -> StoredObject {
    stored(stampedBytes(revision), revision: revision, createRevision: createRevision)
  }

  /// The canonical bytes with `metadata.resourceVersion` = `revision`: one allocation, one
  /// copy. Backends call it before their critical section with the revision they expect to
  /// commit, and fix it with `restamp` if another write took that revision meanwhile.
  func stampedBytes(_ revision: Revision) -> [UInt8] {
    let digits = Revision.decimalDigitCount(revision)
    // Grown from empty with `reserveCapacity`, which is specialized for `UInt8`: creating the
    // array with `init(repeating:count:)` or `init(unsafeUninitializedCapacity:)` looks its
    // storage type up at run time (~700 instructions, more than the copy).
    var bytes: [UInt8] = []
    bytes.reserveCapacity(template.count + digits + 2)
    var quoted: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for `"` 20 digits `"`
    let t = template
    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: t[..<gap]))
    withUnsafeMutableBytes(of: &quoted) { raw in
      let d = raw.bindMemory(to: UInt8.self)
      guard let base = d.baseAddress else { return }
      base[0] = UInt8(ascii: "\"")
      Revision.writeDecimal(revision, digits: digits, to: base + 1)
      base[digits + 1] = UInt8(ascii: "\"")
      bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: digits + 2))
    }
    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: t[gap...]))
    return bytes
  }

  /// Changes bytes made by `stampedBytes(guess)` into `stampedBytes(revision)`: the digits are
  /// overwritten in place when their count is the same (no allocation), else stamped anew.
  func restamp(_ bytes: inout [UInt8], guess: Revision, revision: Revision) {
    let digits = Revision.decimalDigitCount(revision)
    guard digits == Revision.decimalDigitCount(guess) else {
      bytes = stampedBytes(revision)
      return
    }
    let at = gap + 1
    bytes.withUnsafeMutableBufferPointer { b in
      if let base = b.baseAddress { Revision.writeDecimal(revision, digits: digits, to: base + at) }
    }
  }

  /// The stored version for `bytes` (from `stampedBytes(revision)`).
  func stored(_ bytes: [UInt8], revision: Revision, createRevision: Revision) -> StoredObject {
    StoredObject(
      key: key, revision: revision, createRevision: createRevision, bytes: bytes,
      rvStart: UInt32(gap), rvEnd: UInt32(bytes.count - (template.count - gap)), metadata: metadata,
      contentHash: contentHash)
  }

  /// Whether committing this object over `current` would change nothing but the revision
  /// (kube-apiserver skips such writes: no new revision, no event).
  public func isUnchanged(from current: StoredObject) -> Bool {
    guard contentHash == current.contentHash, metadata.fields == current.fields else {
      return false
    }
    let start = Int(current.rvStart)
    let end = Int(current.rvEnd)
    guard gap == start, template.count - gap == current.bytes.count - end else { return false }
    let t = UnsafeRawBufferPointer(template)
    return current.bytes.withUnsafeBytes { c in
      bytesEqual(
        UnsafeRawBufferPointer(rebasing: t[..<gap]), UnsafeRawBufferPointer(rebasing: c[..<start])
      )
        && bytesEqual(
          UnsafeRawBufferPointer(rebasing: t[gap...]), UnsafeRawBufferPointer(rebasing: c[end...])
        )
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

  /// Extracts the metadata from the `metadata` object `meta`, in one pass over its members.
  convenience init(_ meta: JSONObject, fields: [String: String]) {
    var uid: String?
    var labels: [String: String] = [:]
    var isDeleting = false
    var finalizers: [String] = []
    let members = meta.members
    for i in members.indices {
      // The length first: most keys are none of these four and fail without a comparison.
      let key = members[i].key
      switch key.utf8.count {
      case 3 where key == "uid":
        if case .string(let s) = members[i].value { uid = s }
      case 6 where key == "labels":
        guard case .object(let l) = members[i].value else { continue }
        // Sized once: growing from empty allocates and rehashes at the second label.
        labels = Dictionary(minimumCapacity: l.count)
        for label in l.members {
          if case .string(let v) = label.value { labels[label.key] = v }
        }
      case 10 where key == "finalizers":
        guard case .array(let f) = members[i].value else { continue }
        for v in f { if case .string(let s) = v { finalizers.append(s) } }
      case 17 where key == "deletionTimestamp":
        isDeleting = members[i].value != .null
      default: continue
      }
    }
    self.init(
      uid: uid, labels: labels, fields: fields, isDeleting: isDeleting, finalizers: finalizers)
  }
}

/// A 64-bit hash of `bytes` (four independent multiply-xor lanes over 8-byte words, so the
/// chain of multiplications does not serialize): equal bytes give equal hashes within a process.
func contentHashOf(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
  let k: UInt64 = 0x9E37_79B9_7F4A_7C15
  var lanes: (UInt64, UInt64, UInt64, UInt64) = (k, k &* 3, k &* 5, k &* 7)
  let n = bytes.count
  var i = 0
  while i + 32 <= n {
    lanes.0 = (lanes.0 ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
    lanes.1 = (lanes.1 ^ bytes.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* k
    lanes.2 = (lanes.2 ^ bytes.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* k
    lanes.3 = (lanes.3 ^ bytes.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* k
    lanes.0 ^= lanes.0 >> 29
    lanes.1 ^= lanes.1 >> 29
    lanes.2 ^= lanes.2 >> 29
    lanes.3 ^= lanes.3 >> 29
    i += 32
  }
  var h = lanes.0 ^ (lanes.1 &* 31) ^ (lanes.2 &* 37) ^ (lanes.3 &* 41) ^ UInt64(n)
  while i + 8 <= n {
    h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* k
    h ^= h >> 29
    i += 8
  }
  while i < n {
    h = (h ^ UInt64(bytes[i])) &* k
    i += 1
  }
  return h ^ (h >> 31)
}
