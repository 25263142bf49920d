import JSON

/// The managedFields of a plain create, written straight from the object: what
/// `recordUpdate(old: nil, …)` followed by `json` produces when the request brings no
/// managedFields of its own — one `Update` entry whose FieldsV1 is every non-null field of the
/// object minus the fields no manager owns — without building a `FieldSet` and converting it.
extension ManagedFields {
  /// The FieldsV1 object of a create of `object` through the main resource of `r` (what
  /// `ignore(compare(nil, object).added, r, .main).fieldsV1` gives), or nil when this kind
  /// needs the general path (Namespaces: their `spec.finalizers` are the server's).
  /// Objects of a shape seen before get the FieldsV1 object built then (`CreatedFieldsCache`).
  static func createdFieldsV1(_ object: JSONObject, resource r: ResourceDefinition) -> JSONObject? {
    if r.group.isEmpty && r.plural == "namespaces" { return nil }
    let schema = ManagedFieldsSchema(r)
    return CreatedFieldsCache.shared.fields(
      of: object, schema: schema.node, builtIn: schema.builtIn,
      skipsStatus: r.hasStatusSubresource
    ) { buildCreatedFieldsV1(object, schema, skipsStatus: r.hasStatusSubresource) }
  }

  /// `createdFieldsV1` computed from the object.
  static func buildCreatedFieldsV1(
    _ object: JSONObject, _ schema: ManagedFieldsSchema, skipsStatus: Bool
  ) -> JSONObject {
    var entries = Entries()
    entries.reserveCapacity(object.count)
    for m in object.members where !m.value.isNull {
      switch m.key {
      case "apiVersion", "kind":
        // Not owned themselves; a (malformed) object value still contributes its fields.
        let sub = memberFieldsV1(m, schema, includeSelf: false)
        if !sub.isEmpty { entries.append(field: m.key, sub) }
      case "metadata":
        let sub = metadataFieldsV1(m.value, schema.field(m.key))
        if !sub.isEmpty { entries.append(field: m.key, sub) }
      case "status" where skipsStatus:
        continue
      default:
        entries.append(field: m.key, memberFieldsV1(m, schema, includeSelf: true))
      }
    }
    return entries.object(includeSelf: false)
  }

  /// `metadata` without the server-owned members (`stripped`): those keep only the fields
  /// below them, if any.
  private static func metadataFieldsV1(_ value: JSONValue, _ schema: ManagedFieldsSchema)
    -> JSONObject
  {
    guard case .object(let meta) = value, !schema.isAtomicMap else {
      return fieldsV1(value, schema, includeSelf: false)
    }
    var entries = Entries()
    entries.reserveCapacity(meta.count)
    for m in meta.members where !m.value.isNull && m.key != "managedFields" {
      if isServerOwnedMetadata(m.key) {
        let sub = memberFieldsV1(m, schema, includeSelf: false)
        if !sub.isEmpty { entries.append(field: m.key, sub) }
      } else {
        entries.append(field: m.key, memberFieldsV1(m, schema, includeSelf: true))
      }
    }
    return entries.object(includeSelf: false)
  }

  /// `fieldsV1` of member `m` of an object whose schema is `schema`. A scalar sets nothing
  /// below itself: no schema lookup, no walk.
  private static func memberFieldsV1(
    _ m: JSONObject.Member, _ schema: ManagedFieldsSchema, includeSelf: Bool
  ) -> JSONObject {
    guard m.value.isContainer else { return JSONObject() }
    return fieldsV1(m.value, schema.field(m.key), includeSelf: includeSelf)
  }

  /// The FieldsV1 object of everything `value` sets below itself (`addedSet`), with `.` when
  /// `includeSelf` and it has children.
  static func fieldsV1(_ value: JSONValue, _ schema: ManagedFieldsSchema, includeSelf: Bool)
    -> JSONObject
  {
    switch value {
    case .object(let o) where !schema.isAtomicMap:
      var entries = Entries()
      entries.reserveCapacity(o.count + 1)
      for m in o.members where !m.value.isNull {
        entries.append(field: m.key, memberFieldsV1(m, schema, includeSelf: true))
      }
      return entries.object(includeSelf: includeSelf)
    case .array(let items):
      guard let elements = FieldValues.itemElements(items, schema.listKind) else {
        return JSONObject()
      }
      let itemSchema = schema.item
      var children: [(element: PathElement, value: JSONObject)] = []
      children.reserveCapacity(items.count)
      for (e, item) in zip(elements, items) where !item.isNull {
        children.append((e, fieldsV1(item, itemSchema, includeSelf: true)))
      }
      children.sort { PathElement.order($0.element, $1.element) < 0 }
      var out = JSONObject()
      out.reserveCapacity(children.count + 1)
      if includeSelf && !children.isEmpty { out.appendUnique(".", .object(JSONObject())) }
      for c in children { out.appendUnique(c.element.fieldsV1Key, .object(c.value)) }
      return out
    default:
      return JSONObject()
    }
  }

  /// The members of a FieldsV1 object being built: `f:`-keyed, made once with their final keys
  /// and adopted by the object as they are (no copy into another array).
  private struct Entries {
    var members: [JSONObject.Member] = []

    mutating func reserveCapacity(_ n: Int) { members.reserveCapacity(n) }

    /// Adds field `name` (distinct from the fields added before) owning `sub`.
    mutating func append(field name: String, _ sub: JSONObject) {
      members.append(JSONObject.Member(key: FieldSet.fieldKey(name), value: .object(sub)))
    }

    /// The object, members sorted as structured-merge-diff orders field names (bytewise: the
    /// common `f:` prefix leaves the names' order), with `.` first when `includeSelf` and
    /// there are members (`.` sorts before `f`).
    consuming func object(includeSelf: Bool) -> JSONObject {
      // Members usually arrive in order already: check before sorting.
      var sorted = true
      for k in members.indices.dropFirst()
      where FieldSet.compareBytes(members[k - 1].key, members[k].key) > 0 {
        sorted = false
        break
      }
      if !sorted { members.sort { FieldSet.compareBytes($0.key, $1.key) < 0 } }
      if includeSelf && !members.isEmpty {
        members.insert(JSONObject.Member(key: ".", value: .object(JSONObject())), at: 0)
      }
      return JSONObject(uniqueMembers: members)
    }
  }

  /// The whole `metadata.managedFields` value of a create by `manager`, or nil when nothing
  /// is owned (or the kind needs the general path: `handled` is then false).
  static func created(
    _ object: JSONObject, resource r: ResourceDefinition, manager: String, time: String
  ) -> (handled: Bool, value: JSONValue?) {
    guard let fields = createdFieldsV1(object, resource: r) else { return (false, nil) }
    guard !fields.isEmpty else { return (true, nil) }
    var entry = JSONObject()
    entry.reserveCapacity(6)
    if !manager.isEmpty { entry.appendUnique("manager", .string(manager)) }
    entry.appendUnique("operation", .string(Operation.update.rawValue))
    entry.appendUnique("apiVersion", .string(r.apiVersion))
    entry.appendUnique("time", .string(time))
    entry.appendUnique("fieldsType", "FieldsV1")
    entry.appendUnique("fieldsV1", .object(fields))
    return (true, .array([.object(entry)]))
  }
}
