/// Common Kubernetes object keys as string literals, so parsing them makes no String (a literal
/// is immortal: no allocation, no reference counting when copied or freed).
enum KnownKeys {
  /// The literal equal to the `n` bytes at `p`, if it is one of the common keys.
  @inline(__always)
  static func lookup(_ p: UnsafePointer<UInt8>, _ n: Int) -> String? {
    guard n > 0 && n <= 18 else { return nil }
    switch (n, p[0]) {
    case (1, UInt8(ascii: ".")): return same(p, ".", ".")
    case (3, UInt8(ascii: "u")): return same(p, "uid", "uid")
    case (4, UInt8(ascii: "d")): return same(p, "data", "data")
    case (4, UInt8(ascii: "k")): return same(p, "kind", "kind")
    case (4, UInt8(ascii: "n")): return same(p, "name", "name")
    case (4, UInt8(ascii: "s")): return same(p, "spec", "spec")
    case (4, UInt8(ascii: "t")): return same(p, "time", "time") ?? same(p, "type", "type")
    case (5, UInt8(ascii: "i")): return same(p, "items", "items")
    case (6, UInt8(ascii: "f")): return same(p, "f:spec", "f:spec") ?? same(p, "f:data", "f:data")
    case (6, UInt8(ascii: "l")): return same(p, "labels", "labels")
    case (6, UInt8(ascii: "r")): return same(p, "reason", "reason")
    case (6, UInt8(ascii: "s")): return same(p, "status", "status")
    case (7, UInt8(ascii: "m")):
      return same(p, "manager", "manager") ?? same(p, "message", "message")
    case (8, UInt8(ascii: "f")):
      return same(p, "fieldsV1", "fieldsV1") ?? same(p, "f:labels", "f:labels")
        ?? same(p, "f:status", "f:status")
    case (8, UInt8(ascii: "m")): return same(p, "metadata", "metadata")
    case (9, UInt8(ascii: "i")): return same(p, "immutable", "immutable")
    case (9, UInt8(ascii: "n")): return same(p, "namespace", "namespace")
    case (9, UInt8(ascii: "o")): return same(p, "operation", "operation")
    case (10, UInt8(ascii: "a")): return same(p, "apiVersion", "apiVersion")
    case (10, UInt8(ascii: "b")): return same(p, "binaryData", "binaryData")
    case (10, UInt8(ascii: "c")):
      return same(p, "conditions", "conditions") ?? same(p, "controller", "controller")
    case (10, UInt8(ascii: "f")):
      return same(p, "finalizers", "finalizers") ?? same(p, "fieldsType", "fieldsType")
        ?? same(p, "f:metadata", "f:metadata")
    case (10, UInt8(ascii: "g")): return same(p, "generation", "generation")
    case (11, UInt8(ascii: "a")): return same(p, "annotations", "annotations")
    case (11, UInt8(ascii: "s")): return same(p, "subresource", "subresource")
    case (12, UInt8(ascii: "f")): return same(p, "f:conditions", "f:conditions")
    case (12, UInt8(ascii: "g")): return same(p, "generateName", "generateName")
    case (13, UInt8(ascii: "f")): return same(p, "f:annotations", "f:annotations")
    case (13, UInt8(ascii: "m")): return same(p, "managedFields", "managedFields")
    case (15, UInt8(ascii: "o")): return same(p, "ownerReferences", "ownerReferences")
    case (15, UInt8(ascii: "r")): return same(p, "resourceVersion", "resourceVersion")
    case (17, UInt8(ascii: "c")): return same(p, "creationTimestamp", "creationTimestamp")
    case (17, UInt8(ascii: "d")): return same(p, "deletionTimestamp", "deletionTimestamp")
    case (18, UInt8(ascii: "b")): return same(p, "blockOwnerDeletion", "blockOwnerDeletion")
    case (18, UInt8(ascii: "l")): return same(p, "lastTransitionTime", "lastTransitionTime")
    case (18, UInt8(ascii: "o")): return same(p, "observedGeneration", "observedGeneration")
    default: return nil
    }
  }

  /// `value` if the bytes at `p` spell `literal` (same length already checked).
  @inline(__always)
  private static func same(_ p: UnsafePointer<UInt8>, _ literal: StaticString, _ value: String)
    -> String?
  {
    let q = literal.utf8Start
    for k in 0..<literal.utf8CodeUnitCount where p[k] != q[k] { return nil }
    return value
  }
}
