import APIMachinery
import JSON
import Store

/// The writes the hub controllers make, as read-modify-write patches through the `Registry`
/// (the transform runs on the current object, so a concurrent writer costs a retry, never a
/// lost update). Each one skips the write when there is nothing to change, so a reconcile of an
/// object already in the desired state costs reads only.
struct HubWrites: Sendable {
  let registry: Registry
  let options: WriteOptions

  init(registry: Registry, fieldManager: String = OCM.fieldManager) {
    self.registry = registry
    self.options = WriteOptions(fieldManager: fieldManager)
  }

  /// The object, or nil when it does not exist.
  func get(_ r: ResourceDefinition, _ namespace: String, _ name: String) -> StoredObject? {
    try? registry.get(r, namespace: namespace, name: name)
  }

  /// Sets `condition` on the object's status with SetStatusCondition semantics; returns
  /// whether a write happened. `expectedUID` guards against a namesake created meanwhile.
  @discardableResult
  func setCondition(
    _ condition: Condition, on r: ResourceDefinition, _ namespace: String, _ name: String,
    expectedUID: String? = nil
  ) throws(APIError) -> Bool {
    guard let current = get(r, namespace, name) else { throw APIError.notFound(r, name) }
    if Conditions.isSet(condition, in: current.object) { return false }
    var changed = false
    _ = try registry.patch(
      r, namespace: namespace, name: name, subresource: r.hasStatusSubresource ? .status : .main,
      options: options
    ) { object throws(APIError) in
      if let expectedUID, object["metadata"]?["uid"]?.stringValue != expectedUID {
        throw APIError.conflict(r, name)
      }
      if Conditions.isSet(condition, in: object) { return object }
      changed = true
      return Conditions.setting(condition, in: object, now: ServerClock.timestamp())
    }
    return changed
  }

  /// Adds `finalizer` unless present (never to an object being deleted).
  func addFinalizer(
    _ finalizer: String, to r: ResourceDefinition, _ namespace: String, _ name: String
  )
    throws(APIError)
  {
    guard let current = get(r, namespace, name), !current.isDeleting,
      !current.finalizers.contains(finalizer)
    else { return }
    _ = try registry.patch(r, namespace: namespace, name: name, options: options) {
      object throws(APIError) in
      guard case .object(var root) = object, var meta = root["metadata"]?.objectValue,
        meta["deletionTimestamp"] == nil
      else { return object }
      var list = meta["finalizers"]?.arrayValue ?? []
      if list.contains(.string(finalizer)) { return object }
      list.append(.string(finalizer))
      meta["finalizers"] = .array(list)
      root["metadata"] = .object(meta)
      return .object(root)
    }
  }

  /// Removes `finalizer` if present (the object goes away when it was the last one and the
  /// object is being deleted).
  func removeFinalizer(
    _ finalizer: String, from r: ResourceDefinition, _ namespace: String, _ name: String
  ) throws(APIError) {
    guard let current = get(r, namespace, name), current.finalizers.contains(finalizer) else {
      return
    }
    do {
      _ = try registry.patch(r, namespace: namespace, name: name, options: options) {
        object throws(APIError) in
        guard case .object(var root) = object, var meta = root["metadata"]?.objectValue else {
          return object
        }
        let list = meta["finalizers"]?.arrayValue ?? []
        guard list.contains(.string(finalizer)) else { return object }
        meta["finalizers"] = .array(list.filter { $0 != .string(finalizer) })
        root["metadata"] = .object(meta)
        return .object(root)
      }
    } catch  where error.code == 404 {
      return
    }
  }

  /// Deletes the object if it exists (a pending deletion counts as done).
  func deleteIfPresent(_ r: ResourceDefinition, _ namespace: String, _ name: String)
    throws(APIError)
  {
    guard let current = get(r, namespace, name), !current.isDeleting else { return }
    do {
      _ = try registry.delete(
        r, namespace: namespace, name: name,
        options: DeleteOptions(preconditions: Preconditions(uid: current.uid)))
    } catch  where error.code == 404 || error.code == 409 {
      return
    }
  }

  /// Creates `desired` or, when it exists, makes the `managed` top-level fields and the
  /// `metadata.labels` / `metadata.finalizers` it names equal to `desired`'s (labels are
  /// merged: other labels stay). library-go's `resourceapply` rules for the hub's objects.
  func apply(
    _ r: ResourceDefinition, _ namespace: String, _ desired: JSONValue, managed: [String]
  ) throws(APIError) {
    guard let name = desired["metadata"]?["name"]?.stringValue else { return }
    guard let current = get(r, namespace, name) else {
      do {
        _ = try registry.create(r, namespace: namespace, body: desired, options: options)
      } catch  where error.code == 409 {
        // Created meanwhile: the next event for it brings us back.
      }
      return
    }
    if Self.merged(current.object, desired, managed: managed) == nil { return }
    _ = try registry.patch(r, namespace: namespace, name: name, options: options) {
      object throws(APIError) in
      Self.merged(object, desired, managed: managed) ?? object
    }
  }

  /// `current` with `desired`'s managed fields and labels, or nil when nothing differs.
  static func merged(_ current: JSONValue, _ desired: JSONValue, managed: [String]) -> JSONValue? {
    guard case .object(var root) = current, var meta = root["metadata"]?.objectValue else {
      return nil
    }
    var changed = false
    var labels = meta["labels"]?.objectValue ?? JSONObject()
    for m in desired["metadata"]?["labels"]?.objectValue?.members ?? []
    where labels[m.key] != m.value {
      labels[m.key] = m.value
      changed = true
    }
    if changed { meta["labels"] = .object(labels) }
    for field in managed where root[field] != desired[field] {
      root[field] = desired[field]
      changed = true
    }
    guard changed else { return nil }
    root["metadata"] = .object(meta)
    return .object(root)
  }
}
