import JSON

/// Puts `metadata` members in the order kube-apiserver serializes `ObjectMeta` (its Go struct
/// field order), whatever order the client sent them in. Besides matching kube's output byte
/// for byte in that respect, it makes a write that changes nothing produce the same bytes, so it
/// takes no new resourceVersion. `resourceVersion` gets its place (an empty placeholder the
/// store stamps).
public enum ObjectMetaOrder {
  static let order = [
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields",
  ]

  public static func canonicalize(_ object: inout JSONObject) {
    guard case .object(var meta)? = object["metadata"] else { return }
    if meta["resourceVersion"] == nil { meta["resourceVersion"] = "" }
    var ordered = JSONObject()
    ordered.reserveCapacity(meta.count)
    for key in order {
      if let value = meta[key] { ordered[key] = value }
    }
    for m in meta.members where ordered[m.key] == nil { ordered[m.key] = m.value }
    object["metadata"] = .object(ordered)
  }
}
