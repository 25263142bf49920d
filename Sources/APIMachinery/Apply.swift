import JSON

/// Server-side apply (structured-merge-diff's `Updater.Apply` with kube-apiserver's field-manager
/// layers): merges an applied configuration into the live object, prunes what the manager
/// applied before and no longer applies (unless someone else owns it), detects conflicts with
/// other managers and records the manager's Apply entry in `metadata.managedFields`.
public enum Apply {
  /// The annotation client-side apply keeps (`kubectl.kubernetes.io/last-applied-configuration`).
  public static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

  /// Checks the applied configuration itself (type meta, no managedFields), as kube does
  /// before merging.
  public static func validate(_ config: JSONObject, _ r: ResourceDefinition) throws(APIError) {
    let apiVersion = config["apiVersion"]?.stringValue ?? ""
    let kind = config["kind"]?.stringValue ?? ""
    if apiVersion != r.apiVersion || kind != r.kind {
      let parts = apiVersion.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
      let (group, version) =
        parts.count == 2 ? (String(parts[0]), String(parts[1])) : ("", apiVersion)
      throw APIError.badRequest("invalid object type: \(group)/\(version), Kind=\(kind)")
    }
    if let meta = config["metadata"], case .object(let m) = meta, m["managedFields"] != nil {
      throw APIError.badRequest("metadata.managedFields must be nil")
    }
  }

  /// Applies `config` for `manager` to `live` (nil or empty when the object does not exist yet)
  /// and returns the object to store, its `metadata.managedFields` set.
  public static func apply(
    live: JSONObject?, config: JSONObject, resource r: ResourceDefinition, subresource: Subresource,
    manager: String, force: Bool, time: String = ServerClock.timestamp()
  ) throws(APIError) -> JSONObject {
    let schema = ManagedFieldsSchema(r)
    let liveObject = live ?? JSONObject()
    // The live object keeps its managedFields through merge and prune (no configuration can
    // own them), so the rewritten list stays where it was and an unchanged apply is a no-op.
    let liveValue = JSONValue.object(liveObject)
    var managed =
      ManagedFields(decoding: liveObject["metadata"]?["managedFields"]) ?? ManagedFields()
    if managed.entries.isEmpty {
      // skipNonAppliedManager: fields present before the first apply belong to "before-first-apply".
      managed.recordUpdate(
        old: .object(JSONObject()), new: ManagedFields.withoutManagedFields(liveObject),
        manager: "before-first-apply",
        apiVersion: r.apiVersion,
        subresource: .main, resource: r, time: time)
    }
    let configValue = JSONValue.object(config)
    let merged = FieldValues.merge(liveValue, configValue, schema: schema)
    let me = ManagedFields.Entry(
      manager: manager, operation: .apply, apiVersion: r.apiVersion, time: nil,
      subresource: ManagedFields.subresourceName(subresource), fields: FieldSet())
    let existing = managed.index(of: me)
    let lastSet = existing.map { managed.entries[$0].fields } ?? FieldSet()
    let configSet = ManagedFields.ignore(
      FieldValues.fieldSet(configValue, schema: schema), r, subresource)
    var owners = FieldSet()
    for (i, e) in managed.entries.enumerated() where i != existing {
      owners = owners.union(e.fields)
    }
    owners = owners.union(configSet)
    let dropEmptied = !r.isCustomResource
    let pruned = prune(
      merged, lastSet: lastSet, owned: owners, schema: schema, dropEmptied: dropEmptied)

    // update(): what the apply changes is taken from the other managers, or is a conflict.
    let c = FieldValues.compare(liveValue, pruned, schema: schema)
    let changed = ManagedFields.ignore(c.modified.union(c.added), r, subresource)
    let removed = ManagedFields.ignore(c.removed, r, subresource)
    var conflicts: [(ManagedFields.Entry, FieldSet)] = []
    for (i, e) in managed.entries.enumerated() where i != existing {
      let overlap = e.fields.intersection(changed)
      if !overlap.isEmpty { conflicts.append((e, overlap)) }
    }
    if !force && !conflicts.isEmpty {
      var remaining = conflicts
      if manager == "kubectl", let allowed = allowedByLastApplied(liveObject, liveValue, r, schema)
      {
        remaining = conflicts.compactMap { e, set in
          let left = set.subtracting(allowed)
          return left.isEmpty ? nil : (e, left)
        }
      }
      if !remaining.isEmpty { throw APIError.applyConflict(remaining) }
    }
    for (e, set) in conflicts {
      if let i = managed.index(of: e) {
        managed.setFields(i, managed.entries[i].fields.subtracting(set))
      }
    }
    managed.remove(removed, except: me)
    let didChange = !FieldValues.same(liveValue, pruned)
    if let i = managed.index(of: me) {
      managed.setFields(i, configSet)
      if didChange { managed.entries[i].time = time }
    } else {
      var e = me
      e.fields = configSet
      if didChange { e.time = time }
      managed.entries.append(e)
    }
    managed.entries.removeAll { $0.fields.isEmpty }
    managed.capUpdateManagers()

    guard case .object(var result) = pruned else { return liveObject }
    var meta = result["metadata"]?.objectValue ?? JSONObject()
    // lastAppliedUpdater: kubectl's own applies keep the client-side annotation current.
    if manager == "kubectl", var annotations = meta["annotations"]?.objectValue,
      annotations[lastAppliedAnnotation] != nil
    {
      annotations[lastAppliedAnnotation] = .string(lastApplied(config))
      meta["annotations"] = .object(annotations)
    }
    meta["managedFields"] = managed.json
    result["metadata"] = .object(meta)
    return result
  }

  /// structured-merge-diff's `prune`: removes what the manager applied last time and no longer
  /// applies, unless another manager (or the new configuration) owns it.
  static func prune(
    _ merged: JSONValue, lastSet: FieldSet, owned: FieldSet, schema: ManagedFieldsSchema,
    dropEmptied: Bool
  ) -> JSONValue {
    guard !lastSet.isEmpty else { return merged }
    let first =
      FieldValues.removeItems(merged, lastSet, schema: schema, dropEmptied: dropEmptied)
      ?? .object(JSONObject())
    let mergedSet = FieldValues.fieldSet(merged, schema: schema)
    // Add back what other managers or the new configuration own.
    let keep = FieldValues.fieldSet(first, schema: schema).union(owned)
    let second =
      FieldValues.removeItems(
        merged, mergedSet.subtracting(keep), schema: schema, dropEmptied: dropEmptied)
      ?? .object(JSONObject())
    // Add back what the manager did not own before (dangling items).
    let gone = mergedSet.subtracting(FieldValues.fieldSet(second, schema: schema)).intersection(
      lastSet)
    return FieldValues.removeItems(merged, gone, schema: schema, dropEmptied: dropEmptied)
      ?? .object(JSONObject())
  }

  /// lastAppliedManager: fields recorded in the client-side apply annotation whose values still
  /// match the live object may be taken over by kubectl's server-side apply without conflict.
  static func allowedByLastApplied(
    _ live: JSONObject, _ liveValue: JSONValue, _ r: ResourceDefinition,
    _ schema: ManagedFieldsSchema
  ) -> FieldSet? {
    guard let text = live["metadata"]?["annotations"]?[lastAppliedAnnotation]?.stringValue,
      !text.isEmpty,
      case .object(let last)? = try? JSONParser.parse(text),
      last["apiVersion"]?.stringValue == r.apiVersion
    else { return nil }
    let lastValue = JSONValue.object(last)
    let c = FieldValues.compare(lastValue, liveValue, schema: schema)
    return FieldValues.fieldSet(lastValue, schema: schema).subtracting(c.modified).subtracting(
      c.added
    )
    .subtracting(c.removed)
  }

  /// The annotation value kube writes for an applied configuration: the configuration without
  /// the annotation, as Go encodes an unstructured object (sorted keys, trailing newline).
  static func lastApplied(_ config: JSONObject) -> String {
    var c = config
    if var meta = c["metadata"]?.objectValue, var annotations = meta["annotations"]?.objectValue {
      annotations[lastAppliedAnnotation] = nil
      meta["annotations"] = .object(annotations)
      c["metadata"] = .object(meta)
    }
    return sortedKeys(.object(c)).jsonString + "\n"
  }

  static func sortedKeys(_ v: JSONValue) -> JSONValue {
    switch v {
    case .object(let o):
      var out = JSONObject()
      for m in o.members.sorted(by: { FieldSet.compareBytes($0.key, $1.key) < 0 }) {
        out[m.key] = sortedKeys(m.value)
      }
      return .object(out)
    case .array(let items): return .array(items.map(sortedKeys))
    default: return v
    }
  }
}

extension APIError {
  /// 409 for an apply that would change fields other managers own (`NewApplyConflict`).
  public static func applyConflict(_ conflicts: [(ManagedFields.Entry, FieldSet)]) -> APIError {
    let sorted = conflicts.sorted { a, b in
      let x = a.0
      let y = b.0
      if x.manager != y.manager { return FieldSet.compareBytes(x.manager, y.manager) < 0 }
      if x.operation != y.operation { return x.operation.rawValue < y.operation.rawValue }
      if x.apiVersion != y.apiVersion { return x.apiVersion < y.apiVersion }
      return x.subresource < y.subresource
    }
    var causes: [Cause] = []
    var lines: [String] = []
    var total = 0
    for (e, set) in sorted {
      let paths = set.paths
      total += paths.count
      lines.append("conflicts with \(e.conflictName):")
      for p in paths {
        causes.append(
          Cause(
            reason: "FieldManagerConflict", message: "conflict with \(e.conflictName)",
            field: p.pathDescription))
        lines.append("- \(p.pathDescription)")
      }
    }
    let message: String
    if total == 1 {
      message = "Apply failed with 1 conflict: \(causes[0].message): \(causes[0].field)"
    } else {
      message = "Apply failed with \(total) conflicts: " + lines.joined(separator: "\n")
    }
    var e = APIError(code: 409, reason: "Conflict", message: message)
    e.causes = causes
    return e
  }
}
