import JSON

/// What changed between two versions of an object, as structured-merge-diff's `Comparison`.
public struct FieldComparison: Sendable, Equatable {
  public var added = FieldSet()
  public var modified = FieldSet()
  public var removed = FieldSet()

  public init() {}
}

/// Walks over JSON values guided by a `ManagedFieldsSchema`: field sets of values, comparison,
/// merge and removal of owned items (structured-merge-diff's `typed` operations).
public enum FieldValues {
  /// Path elements of a granular list's items, or nil when the list must be treated as
  /// atomic (atomic by schema, items without their keys, or duplicates).
  static func itemElements(_ items: [JSONValue], _ kind: ListKind) -> [PathElement]? {
    var out: [PathElement] = []
    out.reserveCapacity(items.count)
    switch kind {
    case .atomic:
      return nil
    case .set:
      for item in items {
        switch item {
        case .object, .array, .null: return nil
        default: out.append(.value(item))
        }
      }
    case .map(let keys):
      for item in items {
        guard case .object(let o) = item else { return nil }
        var fields: [KeyField] = []
        for k in keys {
          guard let v = o[k], !v.isNull else { return nil }
          fields.append(KeyField(name: k, value: v))
        }
        out.append(.key(FieldSet.sortedKey(fields)))
      }
    }
    for i in out.indices {
      for j in out.indices where j > i && PathElement.order(out[i], out[j]) == 0 { return nil }
    }
    return out
  }

  // MARK: Field set of a value

  /// The fields a value sets (leaves and granular-list items; maps themselves are not members),
  /// as `ToFieldSet` computes for an applied configuration.
  public static func fieldSet(_ value: JSONValue, schema: ManagedFieldsSchema) -> FieldSet {
    var set = FieldSet()
    collect(value, schema: schema, path: [], into: &set)
    return set
  }

  private static func collect(
    _ value: JSONValue, schema: ManagedFieldsSchema, path: [PathElement], into set: inout FieldSet
  ) {
    switch value {
    case .object(let o):
      if schema.isAtomicMap {
        set.insert(path)
        return
      }
      for m in o.members where !m.value.isNull {
        collect(m.value, schema: schema.field(m.key), path: path + [.field(m.key)], into: &set)
      }
    case .array(let items):
      guard let elements = itemElements(items, schema.listKind) else {
        set.insert(path)
        return
      }
      for (e, item) in zip(elements, items) {
        let p = path + [e]
        if case .object = item { collect(item, schema: schema.item, path: p, into: &set) }
        set.insert(p)
      }
    default:
      set.insert(path)
    }
  }

  // MARK: Compare

  /// Added, modified and removed fields from `old` to `new` (`TypedValue.Compare`): leaves are
  /// compared by value, a map or granular list that appears or disappears is itself added or
  /// removed, as are granular-list items.
  public static func compare(_ old: JSONValue?, _ new: JSONValue?, schema: ManagedFieldsSchema)
    -> FieldComparison
  {
    var c = FieldComparison()
    let nothingBefore = present(old).map { $0.objectValue?.isEmpty == true } ?? true
    if nothingBefore, let new = present(new), case .object = new {
      // Everything is added (a create, where the old object is absent or `{}`): build the
      // set in one pass, each level sorted once, instead of inserting every path from the root.
      c.added = addedSet(new, schema: schema)
      return c
    }
    var path: [PathElement] = []
    path.reserveCapacity(16)
    compare(old, new, schema: schema, path: &path, into: &c)
    return c
  }

  /// What `compare(nil, value)` reports as added below `value`: every non-null member, maps
  /// and granular lists included (they are containers that appear), leaves and atomic values.
  static func addedSet(_ value: JSONValue, schema: ManagedFieldsSchema) -> FieldSet {
    var set = FieldSet()
    switch value {
    case .object(let o) where !schema.isAtomicMap:
      set.children.reserveCapacity(o.count)
      for m in o.members where !m.value.isNull {
        set.children.append(
          FieldSet.Child(
            element: .field(m.key), isMember: true,
            set: addedSet(m.value, schema: schema.field(m.key))))
      }
    case .array(let items):
      guard let elements = itemElements(items, schema.listKind) else { return set }
      set.children.reserveCapacity(items.count)
      for (e, item) in zip(elements, items) where !item.isNull {
        set.children.append(
          FieldSet.Child(element: e, isMember: true, set: addedSet(item, schema: schema.item)))
      }
    default:
      return set
    }
    // Keys are unique (JSONObject) and so are granular-list elements (itemElements checks).
    set.children.sort { PathElement.order($0.element, $1.element) < 0 }
    return set
  }

  private static func present(_ v: JSONValue?) -> JSONValue? {
    if let v, !v.isNull { return v }
    return nil
  }

  private static func compare(
    _ lhs: JSONValue?, _ rhs: JSONValue?, schema: ManagedFieldsSchema, path: inout [PathElement],
    into c: inout FieldComparison
  ) {
    let lhs = present(lhs)
    let rhs = present(rhs)
    if lhs == nil && rhs == nil { return }
    // Identical subtrees (the common case for most of an update) have nothing to report.
    if let lhs, let rhs, lhs == rhs { return }
    func leaf() {
      if lhs == nil {
        c.added.insert(path)
      } else if rhs == nil {
        c.removed.insert(path)
      } else if let lhs, let rhs, !same(lhs, rhs) {
        c.modified.insert(path)
      }
    }
    func container() {
      guard !path.isEmpty else { return }
      if lhs == nil { c.added.insert(path) } else if rhs == nil { c.removed.insert(path) }
    }
    switch (lhs, rhs) {
    case (.object(let l)?, .object(let r)?) where !schema.isAtomicMap:
      compareMaps(l, r, schema, &path, &c)
      container()
    case (.object(let l)?, nil) where !schema.isAtomicMap:
      compareMaps(l, JSONObject(), schema, &path, &c)
      container()
    case (nil, .object(let r)?) where !schema.isAtomicMap:
      compareMaps(JSONObject(), r, schema, &path, &c)
      container()
    case (.array(let l)?, .array(let r)?):
      if let le = itemElements(l, schema.listKind), let re = itemElements(r, schema.listKind) {
        compareLists(l, le, r, re, schema, &path, &c)
      } else {
        leaf()
      }
    case (.array(let l)?, nil):
      if let le = itemElements(l, schema.listKind) {
        compareLists(l, le, [], [], schema, &path, &c)
        container()
      } else {
        leaf()
      }
    case (nil, .array(let r)?):
      if let re = itemElements(r, schema.listKind) {
        compareLists([], [], r, re, schema, &path, &c)
        container()
      } else {
        leaf()
      }
    default:
      leaf()
    }
  }

  private static func compareMaps(
    _ l: JSONObject, _ r: JSONObject, _ schema: ManagedFieldsSchema, _ path: inout [PathElement],
    _ c: inout FieldComparison
  ) {
    for m in l.members {
      path.append(.field(m.key))
      compare(m.value, r[m.key], schema: schema.field(m.key), path: &path, into: &c)
      path.removeLast()
    }
    for m in r.members where l[m.key] == nil {
      path.append(.field(m.key))
      compare(nil, m.value, schema: schema.field(m.key), path: &path, into: &c)
      path.removeLast()
    }
  }

  private static func compareLists(
    _ l: [JSONValue], _ le: [PathElement], _ r: [JSONValue], _ re: [PathElement],
    _ schema: ManagedFieldsSchema, _ path: inout [PathElement], _ c: inout FieldComparison
  ) {
    let itemSchema = schema.item
    for (i, e) in le.enumerated() {
      let match = re.firstIndex { PathElement.order($0, e) == 0 }
      path.append(e)
      compare(l[i], match.map { r[$0] }, schema: itemSchema, path: &path, into: &c)
      path.removeLast()
    }
    for (j, e) in re.enumerated() where !le.contains(where: { PathElement.order($0, e) == 0 }) {
      path.append(e)
      compare(nil, r[j], schema: itemSchema, path: &path, into: &c)
      path.removeLast()
    }
  }

  /// Value equality with Go map semantics (member order does not matter; 1 == 1.0).
  public static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
      guard x.count == y.count else { return false }
      for m in x.members {
        guard let v = y[m.key], same(m.value, v) else { return false }
      }
      return true
    case (.array(let x), .array(let y)):
      guard x.count == y.count else { return false }
      for (p, q) in zip(x, y) where !same(p, q) { return false }
      return true
    case (.int(let x), .double(let y)): return Double(x) == y
    case (.double(let x), .int(let y)): return x == Double(y)
    default: return a == b
    }
  }

  // MARK: Merge

  /// The applied configuration merged into the live object (`TypedValue.Merge`): the
  /// configuration wins for leaves and atomic values, maps merge member by member, granular
  /// lists merge item by item (order as structured-merge-diff computes it).
  public static func merge(_ live: JSONValue?, _ config: JSONValue, schema: ManagedFieldsSchema)
    -> JSONValue
  {
    switch (live, config) {
    case (.object(let l)?, .object(let r)) where !schema.isAtomicMap:
      var out = l
      for m in r.members {
        out[m.key] = merge(l[m.key], m.value, schema: schema.field(m.key))
      }
      return .object(out)
    case (.array(let l)?, .array(let r)):
      guard let le = itemElements(l, schema.listKind), let re = itemElements(r, schema.listKind)
      else {
        return config
      }
      return .array(mergeLists(l, le, r, re, schema.item))
    default:
      return config
    }
  }

  private static func mergeLists(
    _ l: [JSONValue], _ le: [PathElement], _ r: [JSONValue], _ re: [PathElement],
    _ itemSchema: ManagedFieldsSchema
  ) -> [JSONValue] {
    func index(_ list: [PathElement], _ e: PathElement) -> Int? {
      list.firstIndex { PathElement.order($0, e) == 0 }
    }
    var shared = re.filter { index(le, $0) != nil }[...]
    var nextShared = shared.popFirst()
    var merged: [PathElement] = []
    var out: [JSONValue] = []
    func item(_ e: PathElement) -> JSONValue {
      let rv = r[index(re, e)!]
      return merge(index(le, e).map { l[$0] }, rv, schema: itemSchema)
    }
    var li = 0
    var ri = 0
    while li < le.count || ri < re.count {
      if li < le.count && ri < re.count {
        let e = le[li]
        if PathElement.order(e, re[ri]) == 0 {
          out.append(item(e))
          merged.append(e)
          li += 1
          ri += 1
          nextShared = shared.popFirst()
          continue
        }
        if index(re, e) != nil, let n = nextShared, PathElement.order(n, e) != 0 {
          li += 1
          continue
        }
      }
      if li < le.count {
        let e = le[li]
        if index(re, e) == nil {
          out.append(l[li])
          li += 1
          continue
        } else if index(merged, e) != nil {
          li += 1
          continue
        }
      }
      if ri < re.count {
        let e = re[ri]
        if index(merged, e) == nil {
          out.append(item(e))
          merged.append(e)
        }
        ri += 1
        if let n = nextShared, PathElement.order(n, e) == 0 { nextShared = shared.popFirst() }
      } else if li < le.count {
        li += 1
      }
    }
    return out
  }

  // MARK: Remove

  /// `value` without the members of `set` (map members and granular-list items; a removed
  /// path takes its subtree with it). Maps emptied by the removal are dropped when
  /// `dropEmptied` (Go types omit empty maps), kept as `{}` otherwise.
  public static func removeItems(
    _ value: JSONValue, _ set: FieldSet, schema: ManagedFieldsSchema, dropEmptied: Bool
  )
    -> JSONValue?
  {
    if set.isEmpty { return value }
    switch value {
    case .object(let o) where !schema.isAtomicMap:
      var out = JSONObject()
      for m in o.members {
        let e = PathElement.field(m.key)
        if set.hasMember(e) { continue }
        let sub = set.child(e)
        if sub.isEmpty {
          out[m.key] = m.value
        } else if let v = removeItems(
          m.value, sub, schema: schema.field(m.key), dropEmptied: dropEmptied)
        {
          out[m.key] = v
        }
      }
      if out.isEmpty && !o.isEmpty && dropEmptied { return nil }
      return .object(out)
    case .array(let items):
      guard let elements = itemElements(items, schema.listKind) else { return value }
      var out: [JSONValue] = []
      for (e, item) in zip(elements, items) {
        if set.hasMember(e) { continue }
        let sub = set.child(e)
        if sub.isEmpty {
          out.append(item)
        } else if let v = removeItems(item, sub, schema: schema.item, dropEmptied: dropEmptied) {
          out.append(v)
        }
      }
      if out.isEmpty && !items.isEmpty && dropEmptied { return nil }
      return .array(out)
    default:
      return value
    }
  }
}
