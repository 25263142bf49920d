import JSON

/// One-pass removals over an object's members, for the write path's metadata edits (a lookup
/// per name would scan the members once per name).
extension JSONObject {
  /// Go's `omitempty`: removes each member named in `maps` whose value is null or an empty
  /// object, and each named in `lists` whose value is null or an empty array.
  mutating func omitEmpty(maps: [String], lists: [String]) {
    var i = count - 1
    while i >= 0 {
      let omitted: Bool
      switch self[valueAt: i] {
      case .null:
        omitted = Self.isNamed(members[i].key, maps) || Self.isNamed(members[i].key, lists)
      case .object(let o) where o.isEmpty: omitted = Self.isNamed(members[i].key, maps)
      case .array(let a) where a.isEmpty: omitted = Self.isNamed(members[i].key, lists)
      default: omitted = false
      }
      if omitted { remove(at: i) }
      i -= 1
    }
  }

  /// Removes the members named in `names` (absent names are fine).
  mutating func removeMembers(named names: [String]) {
    var i = count - 1
    while i >= 0 {
      if Self.isNamed(members[i].key, names) { remove(at: i) }
      i -= 1
    }
  }

  /// Whether `key` is one of `names` (lengths compared first: most keys differ in length).
  private static func isNamed(_ key: String, _ names: [String]) -> Bool {
    let length = key.utf8.count
    for name in names where name.utf8.count == length && name == key { return true }
    return false
  }
}
