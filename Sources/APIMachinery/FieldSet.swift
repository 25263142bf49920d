import JSON

/// One key field of an associative-list item (`k:{"type":"Ready"}`).
public struct KeyField: Sendable, Equatable {
  public var name: String
  public var value: JSONValue

  public init(name: String, value: JSONValue) {
    self.name = name
    self.value = value
  }
}

/// One step of a field path, as structured-merge-diff's `PathElement`: a map field, an
/// associative-list item selected by its key fields, a set item selected by its value, or an
/// atomic-list position.
public enum PathElement: Sendable, Equatable {
  case field(String)
  /// Key fields sorted by name.
  case key([KeyField])
  case value(JSONValue)
  case index(Int)

  /// structured-merge-diff's total order: fields, then keys, then values, then indexes.
  public static func order(_ a: PathElement, _ b: PathElement) -> Int {
    switch (a, b) {
    case (.field(let x), .field(let y)): return FieldSet.compareBytes(x, y)
    case (.field, _): return -1
    case (_, .field): return 1
    case (.key(let x), .key(let y)):
      var i = 0
      while true {
        if i >= x.count && i >= y.count { return 0 }
        if i >= x.count { return -1 }
        if i >= y.count { return 1 }
        let c = FieldSet.compareBytes(x[i].name, y[i].name)
        if c != 0 { return c }
        let v = FieldSet.compareValues(x[i].value, y[i].value)
        if v != 0 { return v }
        i += 1
      }
    case (.key, _): return -1
    case (_, .key): return 1
    case (.value(let x), .value(let y)): return FieldSet.compareValues(x, y)
    case (.value, _): return -1
    case (_, .value): return 1
    case (.index(let x), .index(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    }
  }

  /// The FieldsV1 key: `f:name`, `k:{"type":"Ready"}`, `v:"x"` or `i:0`.
  public var fieldsV1Key: String {
    switch self {
    case .field(let name): return FieldSet.fieldKey(name)
    case .key(let fields):
      var o = JSONObject()
      for f in fields { o[f.name] = f.value }
      return "k:" + JSONValue.object(o).jsonString
    case .value(let v): return "v:" + v.jsonString
    case .index(let i): return "i:" + String(i)
    }
  }

  /// Parses a FieldsV1 key; nil for an unknown or malformed one.
  public init?(fieldsV1Key key: String) {
    let bytes = Array(key.utf8)
    guard bytes.count >= 2, bytes[1] == UInt8(ascii: ":") else { return nil }
    let rest = String(decoding: bytes[2...], as: UTF8.self)
    switch bytes[0] {
    case UInt8(ascii: "f"): self = .field(rest)
    case UInt8(ascii: "i"):
      guard let i = Int(rest) else { return nil }
      self = .index(i)
    case UInt8(ascii: "v"):
      guard let v = try? JSONParser.parse(rest) else { return nil }
      self = .value(v)
    case UInt8(ascii: "k"):
      guard case .object(let o)? = try? JSONParser.parse(rest) else { return nil }
      self = .key(FieldSet.sortedKey(o.members.map { KeyField(name: $0.key, value: $0.value) }))
    default: return nil
    }
  }

  /// The human form used in conflict messages: `.name`, `[type="Ready"]`, `[="x"]`, `[0]`.
  public var description: String {
    switch self {
    case .field(let name): return "." + name
    case .key(let fields):
      return "[" + fields.map { "\($0.name)=\(FieldSet.goString($0.value))" }.joined(separator: ",")
        + "]"
    case .value(let v): return "[=\(FieldSet.goString(v))]"
    case .index(let i): return "[\(i)]"
    }
  }
}

/// A set of field paths stored as a trie (structured-merge-diff's `fieldpath.Set`), with the
/// FieldsV1 JSON form that `metadata.managedFields[].fieldsV1` carries.
///
/// Invariant: children are sorted by `PathElement.order`, unique, and a child that is not a member
/// has a non-empty subtree.
public struct FieldSet: Sendable, Equatable {
  struct Child: Sendable, Equatable {
    var element: PathElement
    var isMember: Bool
    var set: FieldSet
  }

  var children: [Child] = []

  public init() {}

  /// A set of the given paths.
  public init(_ paths: [[PathElement]]) {
    for p in paths { insert(p) }
  }

  public var isEmpty: Bool { children.isEmpty }

  private func find(_ e: PathElement) -> (found: Bool, index: Int) {
    var lo = 0
    var hi = children.count
    while lo < hi {
      let mid = (lo + hi) / 2
      let c = PathElement.order(children[mid].element, e)
      if c == 0 { return (true, mid) }
      if c < 0 { lo = mid + 1 } else { hi = mid }
    }
    return (false, lo)
  }

  /// Adds `path` (the empty path is ignored).
  public mutating func insert(_ path: [PathElement]) {
    insert(path[...])
  }

  private mutating func insert(_ path: ArraySlice<PathElement>) {
    guard let first = path.first else { return }
    let (found, i) = find(first)
    if !found { children.insert(Child(element: first, isMember: false, set: FieldSet()), at: i) }
    if path.count == 1 {
      children[i].isMember = true
    } else {
      children[i].set.insert(path.dropFirst())
    }
  }

  public func contains(_ path: [PathElement]) -> Bool {
    var node = self
    for (n, e) in path.enumerated() {
      let (found, i) = node.find(e)
      guard found else { return false }
      if n == path.count - 1 { return node.children[i].isMember }
      node = node.children[i].set
    }
    return false
  }

  /// The subtree under `element` (paths relative to it).
  public func child(_ element: PathElement) -> FieldSet {
    let (found, i) = find(element)
    return found ? children[i].set : FieldSet()
  }

  /// Whether `element` itself is a member at this level.
  public func hasMember(_ element: PathElement) -> Bool {
    let (found, i) = find(element)
    return found && children[i].isMember
  }

  public func union(_ other: FieldSet) -> FieldSet {
    var out = FieldSet()
    var i = 0
    var j = 0
    while i < children.count || j < other.children.count {
      if j >= other.children.count {
        out.children.append(children[i])
        i += 1
        continue
      }
      if i >= children.count {
        out.children.append(other.children[j])
        j += 1
        continue
      }
      let c = PathElement.order(children[i].element, other.children[j].element)
      if c < 0 {
        out.children.append(children[i])
        i += 1
      } else if c > 0 {
        out.children.append(other.children[j])
        j += 1
      } else {
        let a = children[i]
        let b = other.children[j]
        out.children.append(
          Child(element: a.element, isMember: a.isMember || b.isMember, set: a.set.union(b.set)))
        i += 1
        j += 1
      }
    }
    return out
  }

  /// Paths in `self` that are not in `other` (exact paths; prefixes do not matter).
  public func subtracting(_ other: FieldSet) -> FieldSet {
    var out = FieldSet()
    for c in children {
      let (found, j) = other.find(c.element)
      guard found else {
        out.children.append(c)
        continue
      }
      let o = other.children[j]
      let member = c.isMember && !o.isMember
      let sub = c.set.subtracting(o.set)
      if member || !sub.isEmpty {
        out.children.append(Child(element: c.element, isMember: member, set: sub))
      }
    }
    return out
  }

  public func intersection(_ other: FieldSet) -> FieldSet {
    var out = FieldSet()
    for c in children {
      let (found, j) = other.find(c.element)
      guard found else { continue }
      let o = other.children[j]
      let member = c.isMember && o.isMember
      let sub = c.set.intersection(o.set)
      if member || !sub.isEmpty {
        out.children.append(Child(element: c.element, isMember: member, set: sub))
      }
    }
    return out
  }

  /// Keeps only paths that start with a member of `prefixes` (or are in it).
  public func filtered(toPrefixes prefixes: FieldSet) -> FieldSet {
    var out = FieldSet()
    for c in children {
      let (found, j) = prefixes.find(c.element)
      guard found else { continue }
      let p = prefixes.children[j]
      if p.isMember {
        out.children.append(c)
      } else {
        let sub = c.set.filtered(toPrefixes: p.set)
        if !sub.isEmpty {
          out.children.append(Child(element: c.element, isMember: false, set: sub))
        }
      }
    }
    return out
  }

  /// Removes every path that starts with a member of `prefixes` (structured-merge-diff's
  /// `RecursiveDifference`, used for reset fields).
  public func removingPrefixes(_ prefixes: FieldSet) -> FieldSet {
    var out = FieldSet()
    for c in children {
      let (found, j) = prefixes.find(c.element)
      guard found else {
        out.children.append(c)
        continue
      }
      let p = prefixes.children[j]
      if p.isMember { continue }
      let sub = c.set.removingPrefixes(p.set)
      if c.isMember || !sub.isEmpty {
        out.children.append(Child(element: c.element, isMember: c.isMember, set: sub))
      }
    }
    return out
  }

  /// Every path, in structured-merge-diff's iteration order (members of a level, then each
  /// child's subtree).
  public var paths: [[PathElement]] {
    var out: [[PathElement]] = []
    collect(prefix: [], into: &out)
    return out
  }

  private func collect(prefix: [PathElement], into out: inout [[PathElement]]) {
    for c in children where c.isMember { out.append(prefix + [c.element]) }
    for c in children where !c.set.isEmpty {
      c.set.collect(prefix: prefix + [c.element], into: &out)
    }
  }

  // MARK: FieldsV1

  /// The FieldsV1 JSON object, members in kube's order (`.` first, then the sorted path
  /// elements), e.g. `{"f:data":{".":{},"f:k":{}}}` as etcd dumps of real clusters show.
  public var fieldsV1: JSONValue { .object(fieldsV1Object(includeSelf: false)) }

  private func fieldsV1Object(includeSelf: Bool) -> JSONObject {
    var o = JSONObject()
    o.reserveCapacity(children.count + 1)
    if includeSelf && !children.isEmpty { o["."] = .object(JSONObject()) }
    for c in children {
      o[c.element.fieldsV1Key] = .object(c.set.fieldsV1Object(includeSelf: c.isMember))
    }
    return o
  }

  /// Reads a FieldsV1 object; unknown path-element kinds are skipped (as kube does), anything
  /// else that is not FieldsV1 is an error.
  public init(fieldsV1: JSONValue) throws(FieldSetError) {
    guard case .object(let o) = fieldsV1 else {
      throw FieldSetError(message: "FieldsV1 must be an object")
    }
    self = try Self.read(o).set
  }

  private static func read(_ o: JSONObject) throws(FieldSetError) -> (set: FieldSet, isMember: Bool)
  {
    var set = FieldSet()
    var isMember = false
    for m in o.members {
      if m.key == "." {
        isMember = true
        continue
      }
      guard case .object(let inner) = m.value else {
        throw FieldSetError(message: "FieldsV1 values must be objects")
      }
      guard let e = PathElement(fieldsV1Key: m.key) else {
        let prefix = m.key.utf8.first
        if m.key.utf8.count >= 2, Array(m.key.utf8)[1] == UInt8(ascii: ":"),
          prefix != UInt8(ascii: "f"), prefix != UInt8(ascii: "k"), prefix != UInt8(ascii: "v"),
          prefix != UInt8(ascii: "i")
        {
          continue
        }
        throw FieldSetError(message: "parsing key as path element: \(m.key)")
      }
      let (sub, member) = try read(inner)
      let (found, i) = set.find(e)
      if found {
        set.children[i].isMember = set.children[i].isMember || member
        set.children[i].set = set.children[i].set.union(sub)
      } else {
        set.children.insert(Child(element: e, isMember: member, set: sub), at: i)
      }
    }
    if set.isEmpty { isMember = true }
    return (set, isMember)
  }

  // MARK: Ordering helpers

  /// Byte-wise (UTF-8) order, as Go compares strings: one pass over both buffers, no
  /// per-character iteration (this runs for every field of every write's managedFields).
  static func compareBytes(_ a: String, _ b: String) -> Int {
    // Borrowed in place (small strings on the stack): no copies, no retains.
    let borrowed = a.utf8.withContiguousStorageIfAvailable { x in
      b.utf8.withContiguousStorageIfAvailable { y in compareBytes(x, y) }
    }
    if let borrowed, let order = borrowed { return order }
    var a = a
    var b = b
    return a.withUTF8 { x in b.withUTF8 { y in compareBytes(x, y) } }
  }

  private static func compareBytes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>)
    -> Int
  {
    let n = Swift.min(x.count, y.count)
    var i = 0
    while i < n {
      let p = x[i]
      let q = y[i]
      if p != q { return p < q ? -1 : 1 }
      i += 1
    }
    return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
  }

  /// `"f:" + name` (a FieldsV1 member key), made in one allocation at most: `+` copies the
  /// literal into a new string, then grows it for `name`.
  static func fieldKey(_ name: String) -> String {
    let n = name.utf8.count
    return String(unsafeUninitializedCapacity: n + 2) { out in
      out[0] = UInt8(ascii: "f")
      out[1] = UInt8(ascii: ":")
      let rest = UnsafeMutableBufferPointer(rebasing: out[2...])
      if name.utf8.withContiguousStorageIfAvailable({ _ = rest.initialize(fromContentsOf: $0) })
        == nil
      {
        _ = rest.initialize(fromContentsOf: Array(name.utf8))
      }
      return n + 2
    }
  }

  private static func rank(_ v: JSONValue) -> Int {
    switch v {
    case .int, .double: return 0
    case .string: return 1
    case .bool: return 2
    case .array: return 3
    case .object: return 4
    case .null: return 5
    }
  }

  /// structured-merge-diff's `value.Compare`: numbers, strings, booleans, lists, maps, null.
  static func compareValues(_ a: JSONValue, _ b: JSONValue) -> Int {
    let ra = rank(a)
    let rb = rank(b)
    if ra != rb { return ra < rb ? -1 : 1 }
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.string(let x), .string(let y)): return compareBytes(x, y)
    case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
    case (.array(let x), .array(let y)):
      for (p, q) in zip(x, y) {
        let c = compareValues(p, q)
        if c != 0 { return c }
      }
      return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
    case (.object(let x), .object(let y)):
      let xs = x.members.sorted { compareBytes($0.key, $1.key) < 0 }
      let ys = y.members.sorted { compareBytes($0.key, $1.key) < 0 }
      for (p, q) in zip(xs, ys) {
        let k = compareBytes(p.key, q.key)
        if k != 0 { return k }
        let c = compareValues(p.value, q.value)
        if c != 0 { return c }
      }
      return xs.count < ys.count ? -1 : (xs.count == ys.count ? 0 : 1)
    case (.null, .null): return 0
    default:
      let x = a.doubleValue ?? 0
      let y = b.doubleValue ?? 0
      return x < y ? -1 : (x == y ? 0 : 1)
    }
  }

  static func sortedKey(_ fields: [KeyField]) -> [KeyField] {
    fields.sorted { compareBytes($0.name, $1.name) < 0 }
  }

  /// Go's `%v` of a value in a path (`%q` for strings).
  static func goString(_ v: JSONValue) -> String {
    switch v {
    case .string: return v.jsonString
    case .null: return "null"
    default: return v.jsonString
    }
  }
}

/// A malformed FieldsV1 document.
public struct FieldSetError: Error, Sendable, Equatable {
  public var message: String
}

extension Array where Element == PathElement {
  /// The path as conflict messages print it (`.data.k`, `.status.conditions[type="Ready"]`).
  public var pathDescription: String { map(\.description).joined() }
}
