import JSON

/// `metadata.managedFields` as kube-apiserver's field manager keeps it: one entry per
/// (manager, operation, apiVersion, subresource) with the FieldsV1 set it owns; Update entries
/// take the fields a write changed, Apply entries hold what the manager applied.
public struct ManagedFields: Sendable, Equatable {
  /// `Apply` or `Update`.
  public enum Operation: String, Sendable, Equatable {
    case apply = "Apply"
    case update = "Update"
  }

  /// One `ManagedFieldsEntry`.
  public struct Entry: Sendable, Equatable {
    public var manager: String
    public var operation: Operation
    public var apiVersion: String
    /// RFC 3339 seconds, or nil (an apply that changed nothing leaves a new entry without one).
    public var time: String?
    public var subresource: String
    public var fields: FieldSet
    /// The FieldsV1 document as received, kept while `fields` is unchanged (kube keeps the bytes).
    var original: JSONValue?

    public init(
      manager: String, operation: Operation, apiVersion: String, time: String?, subresource: String,
      fields: FieldSet
    ) {
      self.manager = manager
      self.operation = operation
      self.apiVersion = apiVersion
      self.time = time
      self.subresource = subresource
      self.fields = fields
    }

    /// Whether two entries are the same manager (Apply entries ignore the apiVersion).
    public func sameManager(_ other: Entry) -> Bool {
      manager == other.manager && operation == other.operation && subresource == other.subresource
        && (operation == .apply || apiVersion == other.apiVersion)
    }

    /// How conflict messages name this manager (`"m"`, `"m" with subresource "status"`, `… using v1`).
    public var conflictName: String {
      var s = JSONValue.string(manager).jsonString
      if !subresource.isEmpty {
        s += " with subresource \(JSONValue.string(subresource).jsonString)"
      }
      if operation == .update { s += " using \(apiVersion)" }
      return s
    }

    var json: JSONValue {
      var o = JSONObject()
      if !manager.isEmpty { o["manager"] = .string(manager) }
      o["operation"] = .string(operation.rawValue)
      if !apiVersion.isEmpty { o["apiVersion"] = .string(apiVersion) }
      if let time { o["time"] = .string(time) }
      o["fieldsType"] = "FieldsV1"
      o["fieldsV1"] = original ?? fields.fieldsV1
      if !subresource.isEmpty { o["subresource"] = .string(subresource) }
      return .object(o)
    }
  }

  public var entries: [Entry]

  public init(_ entries: [Entry] = []) { self.entries = entries }

  /// Decodes `metadata.managedFields` (kube's `DecodeManagedFields`); nil when malformed.
  public init?(decoding value: JSONValue?) {
    guard let value else {
      entries = []
      return
    }
    guard case .array(let items) = value else { return nil }
    var out: [Entry] = []
    for item in items {
      guard case .object(let o) = item,
        let op = o["operation"]?.stringValue.flatMap(Operation.init(rawValue:)),
        let apiVersion = o["apiVersion"]?.stringValue, !apiVersion.isEmpty,
        o["fieldsType"]?.stringValue == "FieldsV1"
      else { return nil }
      let fieldsV1 = o["fieldsV1"] ?? .object(JSONObject())
      guard let set = try? FieldSet(fieldsV1: fieldsV1) else { return nil }
      var time: String?
      if let t = o["time"]?.stringValue, let seconds = ServerClock.epochSeconds(t) {
        time = ServerClock.format(Int(seconds))
      }
      var e = Entry(
        manager: o["manager"]?.stringValue ?? "", operation: op, apiVersion: apiVersion, time: time,
        subresource: o["subresource"]?.stringValue ?? "", fields: set)
      e.original = o["fieldsV1"]
      if let i = out.firstIndex(where: { $0.sameManager(e) }) { out[i] = e } else { out.append(e) }
    }
    entries = out
  }

  /// Whether a request's own `managedFields` replace the tracked ones (decodable, not empty,
  /// not the reset signal).
  static func bringsEntries(_ requested: JSONValue?) -> Bool {
    guard let requested, !requested.isNull, !isReset(requested) else { return false }
    return ManagedFields(decoding: requested).map { !$0.entries.isEmpty } ?? false
  }

  /// kube's reset signal: a request carrying `managedFields: []` (or `[{}]`) clears tracking.
  static func isReset(_ value: JSONValue?) -> Bool {
    guard case .array(let items)? = value else { return false }
    if items.isEmpty { return true }
    if items.count == 1, case .object(let o) = items[0], o.isEmpty { return true }
    return false
  }

  /// The encoded list in kube's order: Apply before Update, then by time, manager, apiVersion,
  /// subresource; nil when there is nothing to record.
  public var json: JSONValue? {
    let live = entries.filter { !$0.fields.isEmpty }
    guard !live.isEmpty else { return nil }
    let sorted = live.sorted { p, q in
      if p.operation != q.operation { return p.operation.rawValue < q.operation.rawValue }
      let ps = p.time.flatMap(ServerClock.epochSeconds) ?? 0
      let qs = q.time.flatMap(ServerClock.epochSeconds) ?? 0
      if ps != qs { return ps < qs }
      if p.manager != q.manager { return FieldSet.compareBytes(p.manager, q.manager) < 0 }
      if p.apiVersion != q.apiVersion {
        return FieldSet.compareBytes(p.apiVersion, q.apiVersion) < 0
      }
      return FieldSet.compareBytes(p.subresource, q.subresource) < 0
    }
    return .array(sorted.map(\.json))
  }

  func index(of e: Entry) -> Int? { entries.firstIndex { $0.sameManager(e) } }

  /// Sets the fields of entry `e`'s manager (dropping the original bytes when they changed).
  mutating func setFields(_ i: Int, _ fields: FieldSet) {
    if entries[i].fields != fields {
      entries[i].fields = fields
      entries[i].original = nil
    }
  }

  /// Removes `set` from every entry except `except`; entries left empty are dropped.
  mutating func remove(_ set: FieldSet, except: Entry?) {
    guard !set.isEmpty else { return }
    for i in entries.indices where except.map({ !entries[i].sameManager($0) }) ?? true {
      setFields(i, entries[i].fields.subtracting(set))
    }
    entries.removeAll { $0.fields.isEmpty }
  }

  // MARK: Server-owned fields

  /// Fields no manager ever owns (`stripMeta`): type meta, `metadata` itself and the
  /// server-owned metadata members.
  static let stripped: FieldSet = {
    var s = FieldSet()
    s.insert([.field("apiVersion")])
    s.insert([.field("kind")])
    s.insert([.field("metadata")])
    for f in serverOwnedMetadata { s.insert([.field("metadata"), .field(f)]) }
    return s
  }()

  /// The metadata members the server owns (`stripMeta`).
  static let serverOwnedMetadata = [
    "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
    "managedFields", "resourceVersion",
  ]

  /// Whether `key` is one of `serverOwnedMetadata`, told by its length first: most keys are
  /// ruled out, or matched, with at most one string comparison.
  static func isServerOwnedMetadata(_ key: String) -> Bool {
    switch key.utf8.count {
    case 3: return key == "uid"
    case 4: return key == "name"
    case 8: return key == "selfLink"
    case 9: return key == "namespace"
    case 10: return key == "generation"
    case 11: return key == "clusterName"
    case 13: return key == "managedFields"
    case 15: return key == "resourceVersion"
    case 17: return key == "creationTimestamp"
    default: return false
    }
  }

  /// Fields a write to `subresource` of `r` does not record (kube's reset fields): `status` on the
  /// main resource of kinds with a status subresource (and Namespace `spec.finalizers`, which
  /// the server maintains); everything but `status` on `/status`.
  static func ignore(_ set: FieldSet, _ r: ResourceDefinition, _ subresource: Subresource)
    -> FieldSet
  {
    if set.isEmpty { return set }
    switch subresource {
    case .main:
      if r.group.isEmpty && r.plural == "namespaces" {
        // A Namespace's `spec` exists only for the finalizers the server adds.
        return set.removingPrefixes(namespaceIgnored).subtracting(namespaceStripped)
      }
      let stripped = set.subtracting(Self.stripped)
      return r.hasStatusSubresource ? stripped.removingPrefixes(statusPrefix) : stripped
    case .status, .approval:
      return set.filtered(toPrefixes: statusPrefix)
    case .finalize:
      return set.subtracting(stripped)
    }
  }

  static let statusPrefix = FieldSet([[.field("status")]])
  static let namespaceIgnored = FieldSet([
    [.field("status")], [.field("spec"), .field("finalizers")],
  ])
  static let namespaceStripped = stripped.union(FieldSet([[.field("spec")]]))

  static func subresourceName(_ s: Subresource) -> String {
    switch s {
    case .main: return ""
    case .status: return "status"
    case .finalize: return "finalize"
    case .approval: return "approval"
    }
  }

  /// The object without `metadata.managedFields` (what field sets are computed on).
  static func withoutManagedFields(_ object: JSONObject) -> JSONValue {
    var o = object
    if var meta = o["metadata"]?.objectValue, meta["managedFields"] != nil {
      meta["managedFields"] = nil
      o["metadata"] = .object(meta)
    }
    return .object(o)
  }

  // MARK: Update

  /// Records an `Update` by `manager` that turned `old` into `new` (kube's
  /// `managedFieldsUpdater` + `Updater.Update`): fields changed, added or removed are taken from
  /// every other manager; the manager's entry gains the changed and added fields and a new
  /// time when it took any.
  public mutating func recordUpdate(
    old: JSONValue?, new: JSONValue, manager: String, apiVersion: String, subresource: Subresource,
    resource r: ResourceDefinition, time: String = ServerClock.timestamp()
  ) {
    let schema = ManagedFieldsSchema(r)
    let c = FieldValues.compare(old, new, schema: schema)
    let changed = Self.ignore(c.modified.union(c.added), r, subresource)
    let removed = Self.ignore(c.removed, r, subresource)
    let me = Entry(
      manager: manager, operation: .update, apiVersion: apiVersion, time: time,
      subresource: Self.subresourceName(subresource), fields: FieldSet())
    // "current-operation" takes its fields from everyone, the manager's own entry included.
    for i in entries.indices {
      setFields(i, entries[i].fields.subtracting(changed).subtracting(removed))
    }
    if !changed.isEmpty {
      if let i = index(of: me) {
        setFields(i, entries[i].fields.union(changed))
        entries[i].time = time
        entries[i].apiVersion = apiVersion
      } else {
        var e = me
        e.fields = changed
        entries.append(e)
      }
    }
    entries.removeAll { $0.fields.isEmpty }
    capUpdateManagers()
  }

  /// kube's `capManagersManager`: at most `limit` Update entries; the oldest are folded into an
  /// `ancient-changes` entry per apiVersion (taking the time of the latest folded entry).
  public mutating func capUpdateManagers(limit: Int = 10) {
    var updaters = entries.indices.filter { entries[$0].operation == .update }
    guard updaters.count > limit else { return }
    func seconds(_ i: Int) -> Int64 { entries[i].time.flatMap(ServerClock.epochSeconds) ?? 0 }
    updaters.sort { a, b in
      if seconds(a) != seconds(b) { return seconds(a) < seconds(b) }
      let x = entries[a]
      let y = entries[b]
      if x.manager != y.manager { return FieldSet.compareBytes(x.manager, y.manager) < 0 }
      if x.apiVersion != y.apiVersion { return x.apiVersion < y.apiVersion }
      return x.subresource < y.subresource
    }
    var firstOfVersion: [String: Int] = [:]
    var drop = Set<Int>()
    var length = updaters.count
    var i = 0
    while i < updaters.count && length > limit {
      let index = updaters[i]
      let version = entries[index].apiVersion
      if let first = firstOfVersion[version] {
        let bucket = Entry(
          manager: "ancient-changes", operation: .update, apiVersion: version, time: nil,
          subresource: "",
          fields: FieldSet())
        var target = entries.indices.first { !drop.contains($0) && entries[$0].sameManager(bucket) }
        if target == nil {
          // The first entry of this version becomes the bucket.
          entries[first].manager = bucket.manager
          entries[first].subresource = ""
          target = first
        }
        if let t = target {
          setFields(t, entries[t].fields.union(entries[index].fields))
          entries[t].time = entries[index].time
        }
        drop.insert(index)
        length -= 1
      } else {
        firstOfVersion[version] = index
      }
      i += 1
    }
    entries = entries.indices.filter { !drop.contains($0) }.map { entries[$0] }
  }

  /// The Registry hook: sets `object`'s `metadata.managedFields` for a write of `subresource`.
  /// `old` is the stored object (nil on create); `requested` is the request's own
  /// `managedFields` (a main-resource write may replace them, `[]` resets tracking); a
  /// server-side apply has already computed them (`options.applied`) and they are kept.
  public static func record(
    _ object: inout JSONObject, old: JSONObject?, requested: JSONValue?,
    resource r: ResourceDefinition,
    subresource: Subresource, options: WriteOptions
  ) {
    let value: JSONValue?
    if options.applied {
      value = requested
    } else if old == nil && subresource == .main && !bringsEntries(requested),
      case let fresh = created(
        object, resource: r, manager: options.fieldManager, time: ServerClock.timestamp()),
      fresh.handled
    {
      value = fresh.value
    } else {
      let oldManaged =
        old.flatMap { ManagedFields(decoding: $0["metadata"]?["managedFields"]) } ?? ManagedFields()
      var managed: ManagedFields
      if subresource != .main {
        managed = oldManaged
      } else if isReset(requested) {
        managed = ManagedFields()
      } else if let fromRequest = ManagedFields(decoding: requested), !fromRequest.entries.isEmpty {
        managed = fromRequest
      } else {
        managed = oldManaged
      }
      managed.recordUpdate(
        old: old.map(withoutManagedFields) ?? .object(JSONObject()),
        new: withoutManagedFields(object),
        manager: options.fieldManager, apiVersion: r.apiVersion, subresource: subresource,
        resource: r)
      value = managed.json
    }
    // Taken out of `object` while it is edited: the only reference, so no copy on write.
    var meta = object.takeObject("metadata") ?? JSONObject()
    meta["managedFields"] = value?.isNull == true ? nil : value
    object["metadata"] = .object(meta)
  }
}
