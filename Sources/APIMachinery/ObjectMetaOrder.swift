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
    // Taken out: the only reference while it is edited (no copy on write). One lookup: the
    // value is taken through its position, which also puts it back.
    guard let i = object.index(of: "metadata"), var meta = object[valueAt: i].takeObject() else {
      return
    }
    if meta.index(of: "resourceVersion") == nil { meta.appendUnique("resourceVersion", "") }
    meta.sortMembers(byRank: rank)
    object[valueAt: i] = .object(meta)
  }

  /// `order`'s positions, bucketed by key length (a lookup compares one or two keys).
  private static let byLength: [[(key: String, rank: Int)]] = {
    var buckets = [[(key: String, rank: Int)]](repeating: [], count: 32)
    for (i, key) in order.enumerated() { buckets[key.utf8.count].append((key, i)) }
    return buckets
  }()

  /// The position of `key` in `order` (members kube does not know go last, in their order).
  static func rank(_ key: String) -> Int {
    let n = key.utf8.count
    guard n < byLength.count else { return order.count }
    for entry in byLength[n] where entry.key == key { return entry.rank }
    return order.count
  }
}
