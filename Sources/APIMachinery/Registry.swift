import JSON
import Store

/// Options every write carries (query parameters of the request).
public struct WriteOptions: Sendable {
  /// `dryRun=All`: run every step but commit nothing.
  public var dryRun = false
  /// `fieldManager` (or the User-Agent prefix when absent).
  public var fieldManager = ""
  /// `fieldValidation` (nil when absent: undeclared fields are pruned with a warning).
  public var fieldValidation: FieldValidation?
  /// Server-side apply: the object already carries the managedFields the apply computed.
  public var applied = false
  /// The requester (nil: the server's own controllers).
  public var user: UserInfo?

  public init(
    dryRun: Bool = false, fieldManager: String = "", fieldValidation: FieldValidation? = nil
  ) {
    self.dryRun = dryRun
    self.fieldManager = fieldManager
    self.fieldValidation = fieldValidation
  }
}

/// Which part of an object a write addresses.
public enum Subresource: Sendable, Equatable {
  case main
  case status
  /// Namespace `/finalize`.
  case finalize
  /// CertificateSigningRequest `/approval` (only the Approved/Denied conditions change).
  case approval
}

/// The outcome of a write: the committed version, or (for `dryRun`) what would have been, with
/// the warnings the response carries (`Warning: 299 - "…"` headers).
public struct WriteResult: Sendable {
  /// What the write produced.
  public enum Outcome: Sendable {
    case stored(StoredObject)
    case dryRun(JSONValue)
  }

  public var outcome: Outcome
  /// Warning texts (e.g. `unknown field "spec.foo"`), one `Warning` header each.
  public var warnings: [String] = []

  public init(_ outcome: Outcome, warnings: [String] = []) {
    self.outcome = outcome
    self.warnings = warnings
  }

  public static func stored(_ object: StoredObject) -> WriteResult { WriteResult(.stored(object)) }
  public static func dryRun(_ value: JSONValue) -> WriteResult { WriteResult(.dryRun(value)) }

  /// The same result carrying `warnings` too.
  public func adding(warnings more: [String]) -> WriteResult {
    WriteResult(outcome, warnings: warnings + more)
  }

  /// The response body.
  public var bytes: [UInt8] {
    switch outcome {
    case .stored(let o): return o.bytes
    case .dryRun(let v): return v.serialized()
    }
  }

  public var object: JSONValue {
    switch outcome {
    case .stored(let o): return o.object
    case .dryRun(let v): return v
    }
  }
}

/// The outcome of a delete.
public enum DeleteResult: Sendable {
  /// The object is gone; this was its last state.
  case deleted(StoredObject)
  /// The object is being deleted (finalizers pending, or a Namespace being emptied).
  case pending(WriteResult)
  /// `dryRun`: what would have been deleted.
  case dryRun(JSONValue)
}

/// DeleteOptions that matter here.
public struct DeleteOptions: Sendable {
  public var preconditions = Preconditions.none
  public var dryRun = false
  /// `Background` (default), `Foreground` or `Orphan`.
  public var propagationPolicy: String?
  /// The requester (nil: the server's own controllers).
  public var user: UserInfo?

  public init(
    preconditions: Preconditions = .none, dryRun: Bool = false, propagationPolicy: String? = nil
  ) {
    self.preconditions = preconditions
    self.dryRun = dryRun
    self.propagationPolicy = propagationPolicy
  }
}

/// The one write path of the server: REST handlers and controllers both call it, so every
/// write gets the same defaulting, validation, server-owned metadata, preconditions and
/// namespace rules before it reaches the store.
public final class Registry: Sendable {
  public let store: Store
  public let catalog: Catalog
  /// Webhook-equivalents run on every create and update (see `AdmissionPlugin`).
  public let admission = AdmissionChain()
  /// Who may do what; allow-all until authorization is installed.
  public let authorizer = AuthorizerSlot()

  /// Namespaces that can never be deleted.
  public static let immortalNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

  public init(store: Store, catalog: Catalog) {
    self.store = store
    self.catalog = catalog
    CertificateAdmission.register(on: self)  // kube's built-in CSR admission plug-ins
  }

  public func key(_ r: ResourceDefinition, _ namespace: String, _ name: String) -> ObjectKey {
    ObjectKey(resource: r.resourceKey, namespace: r.namespaced ? namespace : "", name: name)
  }

  // MARK: Reads

  public func get(
    _ r: ResourceDefinition, namespace: String, name: String, revision: RevisionMatch = .mostRecent
  )
    throws(APIError) -> StoredObject
  {
    let object: StoredObject?
    do {
      object = try store.get(key(r, namespace, name), revision: revision)
    } catch {
      throw Self.translate(error, r, name)
    }
    guard let object else { throw APIError.notFound(r, name) }
    return object
  }

  /// A selector predicate over stored objects (nil when it selects everything).
  public static func predicate(labels: LabelSelector, fields: FieldSelector) -> Predicate? {
    if labels.isEverything && fields.isEverything { return nil }
    return { object in labels.matches(object.labels) && fields.matches(object.fields) }
  }

  public func list(
    _ r: ResourceDefinition, namespace: String?, labels: LabelSelector = .everything,
    fields: FieldSelector = .everything, options: ListOptions = .init()
  ) throws(APIError) -> ListResult {
    do {
      return try store.list(
        r.resourceKey, namespace: r.namespaced ? namespace : nil,
        predicate: Self.predicate(labels: labels, fields: fields), options: options)
    } catch {
      throw Self.translate(error, r, "")
    }
  }

  public func watch(
    _ r: ResourceDefinition, namespace: String?, labels: LabelSelector = .everything,
    fields: FieldSelector = .everything, from start: WatchStart, options: WatchOptions
  ) -> Watcher {
    store.watch(
      r.resourceKey, namespace: r.namespaced ? namespace : nil,
      predicate: Self.predicate(labels: labels, fields: fields), from: start, options: options)
  }

  // MARK: Create

  /// `body` is consumed: when the caller hands over its only reference (e.g. the request body
  /// just parsed), the tree is edited in place rather than copied level by level on write.
  public func create(
    _ r: ResourceDefinition, namespace: String, body: consuming JSONValue,
    options: WriteOptions = .init()
  )
    throws(APIError) -> WriteResult
  {
    var object: JSONObject
    switch consume body {
    case .object(let o): object = o
    default: throw APIError.badRequest("the body of the request must be a JSON object")
    }
    try checkTypeMeta(object, r)
    // Taken out of `object` while it is edited: the only reference, so edits do not copy it.
    var meta = object.takeObject("metadata") ?? JSONObject()
    // Room for what the server adds (namespace, uid, creationTimestamp, generation,
    // managedFields, resourceVersion): one allocation instead of growing twice.
    meta.reserveCapacity(meta.count + 6)
    let requestedManagedFields = meta["managedFields"]
    try checkNamespace(&meta, r, namespace)
    if let rv = meta["resourceVersion"]?.stringValue, !rv.isEmpty {
      throw APIError.internalError("resourceVersion should not be set on objects to be created")
    }
    var name = meta["name"]?.stringValue ?? ""
    if name.isEmpty, let prefix = meta["generateName"]?.stringValue, !prefix.isEmpty {
      name = ServerClock.generateName(prefix)
    }
    guard !name.isEmpty else {
      throw APIError.invalid(
        r, "", [.required("metadata.name", "Required value: name or generateName is required")])
    }
    meta["name"] = .string(name)
    meta["uid"] = .string(ServerClock.uuid())
    meta["creationTimestamp"] = .string(ServerClock.timestamp())
    meta.removeMembers(
      named: ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"])
    if r.tracksGeneration { meta["generation"] = 1 } else { meta["generation"] = nil }
    Self.dropEmptyMaps(&meta)
    // Consumed: a `meta` left alive to the end of the scope would share the metadata (and its
    // labels) with `object`, and pruning would copy both.
    object["metadata"] = .object(consume meta)
    setTypeMeta(&object, r)
    let warnings = try Schema.apply(r, to: &object, mode: options.fieldValidation)
    let strategy = Strategy(definition: r, user: options.user)
    try strategy.checkEncoding(object)
    strategy.prepareForCreate(&object)
    Defaulting.apply(r.schemaNode, to: &object)
    let attributes = AdmissionAttributes(
      resource: r, subresource: .main, operation: .create, namespace: namespace, name: name,
      user: options.user, dryRun: options.dryRun)
    let plugins = admission.plugins(for: r.resourceKey)
    try plugins.admit(&object, old: nil, attributes)
    ManagedFields.record(
      &object, old: nil, requested: requestedManagedFields, resource: r, subresource: .main,
      options: options)
    try Schema.check(r, object, name: name)
    let causes = strategy.validate(object, name: name)
    if !causes.isEmpty { throw APIError.invalid(r, name, causes) }
    try plugins.validate(object, old: nil, attributes)
    if r.namespaced { try checkNamespaceAcceptsContent(namespace, r, name) }
    let k = key(r, namespace, name)
    ObjectMetaOrder.canonicalize(&object)
    if options.dryRun {
      if store.get(k) != nil { throw APIError.alreadyExists(r, name) }
      return WriteResult(.dryRun(.object(object)), warnings: warnings)
    }
    do {
      let stored = try store.create(
        k, .object(object),
        fields: strategy.selectableFields(object, namespace: namespace, name: name))
      didCommit(r, stored)
      return WriteResult(.stored(stored), warnings: warnings)
    } catch {
      throw Self.translate(error, r, name)
    }
  }

  // MARK: Update

  /// PUT: replaces the object (or its status / finalizers), with the body's resourceVersion as
  /// a compare-and-swap precondition.
  public func update(
    _ r: ResourceDefinition, namespace: String, name: String, body: JSONValue,
    subresource: Subresource = .main, options: WriteOptions = .init()
  ) throws(APIError) -> WriteResult {
    guard case .object(let object) = body else {
      throw APIError.badRequest("the body of the request must be a JSON object")
    }
    try checkTypeMeta(object, r)
    let meta = object["metadata"]?.objectValue ?? JSONObject()
    if let bodyName = meta["name"]?.stringValue, !bodyName.isEmpty, bodyName != name {
      throw APIError.badRequest(
        "the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
    }
    if r.namespaced, let ns = meta["namespace"]?.stringValue, !ns.isEmpty, ns != namespace {
      throw APIError.badRequest(
        "the namespace of the provided object does not match the namespace sent on the request")
    }
    var preconditions = Preconditions.none
    if let rv = meta["resourceVersion"]?.stringValue, !rv.isEmpty {
      guard let revision = Revision(decimal: rv) else {
        throw APIError.invalid(
          r, name,
          [.invalidValue("metadata.resourceVersion", rv, "must be a valid resource version")])
      }
      preconditions.revision = revision
    } else if !r.allowsUnconditionalUpdate {
      throw APIError.resourceVersionRequired(r, name)  // main resource and /status alike
    }
    if let uid = meta["uid"]?.stringValue, !uid.isEmpty { preconditions.uid = uid }
    return try write(
      r, namespace: namespace, name: name, preconditions: preconditions, subresource: subresource,
      options: options
    ) {
      _ throws(APIError) in object
    }
  }

  /// PATCH (and any read-modify-write): `transform` gets the current object and returns the
  /// new one; retried on concurrent changes. A `metadata.resourceVersion` in the result that
  /// differs from the current one is a conflict, as is a different `metadata.uid`.
  public func patch(
    _ r: ResourceDefinition, namespace: String, name: String, subresource: Subresource = .main,
    options: WriteOptions = .init(),
    _ transform: @escaping (JSONValue) throws(APIError) -> JSONValue
  ) throws(APIError) -> WriteResult {
    try write(
      r, namespace: namespace, name: name, preconditions: .none, subresource: subresource,
      options: options
    ) {
      current throws(APIError) in
      let patched = try transform(current.object)
      guard case .object(let object) = patched else {
        throw APIError.badRequest("the patch produced a value that is not an object")
      }
      let meta = object["metadata"]?.objectValue ?? JSONObject()
      if let rv = meta["resourceVersion"]?.stringValue, !rv.isEmpty, rv != current.resourceVersion {
        throw APIError.conflict(r, name)
      }
      if subresource == .main, let uid = meta["uid"]?.stringValue, uid != current.uid {
        throw APIError.invalid(r, name, [.invalidValue("metadata.uid", uid, "field is immutable")])
      }
      return object
    }
  }

  /// The shared read-modify-write: `produce` returns the requested object given the current
  /// one; server-owned metadata, status rules, validation and finalizer rules are applied here.
  private func write(
    _ r: ResourceDefinition, namespace: String, name: String, preconditions: Preconditions,
    subresource: Subresource, options: WriteOptions,
    _ produce: (StoredObject) throws(APIError) -> JSONObject
  ) throws(APIError) -> WriteResult {
    let k = key(r, namespace, name)
    let strategy = Strategy(definition: r)
    var dryRunResult: JSONValue?
    var warnings: [String] = []
    do {
      let stored = try store.guaranteedUpdate(k, preconditions: preconditions) { current in
        guard case .object(let old) = current.object else { return .unchanged }
        var object = try produce(current)
        let requestedManagedFields = object["metadata"]?["managedFields"]
        warnings = try Schema.apply(r, to: &object, mode: options.fieldValidation)
        try strategy.checkEncoding(object)
        switch subresource {
        case .main:
          strategy.prepareForUpdate(&object, old: old)
        case .status:
          object = strategy.prepareForStatusUpdate(object, old: old)
        case .finalize:
          object = strategy.prepareForFinalize(object, old: old)
        case .approval:
          object = strategy.prepareForApprovalUpdate(object, old: old)
        }
        let oldMeta = old["metadata"]?.objectValue ?? JSONObject()
        var meta = object["metadata"]?.objectValue ?? JSONObject()
        for owned in [
          "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
          "generateName",
        ] {
          meta[owned] = oldMeta[owned]
        }
        meta["name"] = .string(name)
        if r.namespaced { meta["namespace"] = .string(namespace) } else { meta["namespace"] = nil }
        meta["resourceVersion"] = nil
        meta["selfLink"] = nil
        if meta["managedFields"] == nil { meta["managedFields"] = oldMeta["managedFields"] }
        if r.tracksGeneration {
          let oldGeneration = oldMeta["generation"]?.int64Value ?? 1
          meta["generation"] = .int(
            strategy.specChanged(object, old) ? oldGeneration + 1 : oldGeneration)
        } else {
          meta["generation"] = oldMeta["generation"]
        }
        Self.dropEmptyMaps(&meta)
        if current.isDeleting {
          let oldFinalizers = Set(
            (oldMeta["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
          let added = (meta["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue).filter {
            !oldFinalizers.contains($0)
          }
          if !added.isEmpty {
            let list = added.map { "\"\($0)\"" }.joined(separator: ", ")
            throw APIError.invalid(
              r, name,
              [
                .forbidden(
                  "metadata.finalizers",
                  "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(list)}"
                )
              ])
          }
        }
        object["metadata"] = .object(meta)
        setTypeMeta(&object, r)
        Defaulting.apply(r.schemaNode, to: &object)
        let attributes = AdmissionAttributes(
          resource: r, subresource: subresource, operation: .update, namespace: namespace,
          name: name, user: options.user, dryRun: options.dryRun)
        let plugins = admission.plugins(for: r.resourceKey)
        try plugins.admit(&object, old: old, attributes)
        ManagedFields.record(
          &object, old: old, requested: requestedManagedFields, resource: r,
          subresource: subresource,
          options: options)
        try Schema.check(r, object, name: name)
        let causes =
          strategy.validateUpdate(object, old: old, subresource: subresource)
          + strategy.validate(object, name: name)
        if !causes.isEmpty { throw APIError.invalid(r, name, causes) }
        try plugins.validate(object, old: old, attributes)
        if options.dryRun {
          // kube answers a dry-run update with the object as it would be, at the current version.
          var shown = object
          var shownMeta = shown["metadata"]?.objectValue ?? JSONObject()
          shownMeta["resourceVersion"] = .string(current.resourceVersion)
          shown["metadata"] = .object(shownMeta)
          dryRunResult = .object(shown)
          return .unchanged
        }
        let finalizers = meta["finalizers"]?.arrayValue ?? []
        let specFinalizers =
          r.plural == "namespaces" && r.group.isEmpty
          ? (object["spec"]?["finalizers"]?.arrayValue ?? []) : []
        if current.isDeleting && finalizers.isEmpty && specFinalizers.isEmpty {
          return .delete
        }
        ObjectMetaOrder.canonicalize(&object)
        return .update(
          .object(object),
          fields: strategy.selectableFields(object, namespace: namespace, name: name))
      }
      if let dryRunResult { return WriteResult(.dryRun(dryRunResult), warnings: warnings) }
      didCommit(r, stored)
      return WriteResult(.stored(stored), warnings: warnings)
    } catch let e as APIError {
      throw e
    } catch let e as StoreError {
      throw Self.translate(e, r, name)
    } catch {
      throw APIError.internalError("\(error)")
    }
  }

  // MARK: Delete

  public func delete(
    _ r: ResourceDefinition, namespace: String, name: String, options: DeleteOptions = .init()
  )
    throws(APIError) -> DeleteResult
  {
    let k = key(r, namespace, name)
    let isNamespace = r.group.isEmpty && r.plural == "namespaces"
    if isNamespace && Self.immortalNamespaces.contains(name) {
      throw APIError.forbidden(r, name, "this namespace may not be deleted")
    }
    guard let current = store.get(k) else { throw APIError.notFound(r, name) }
    do {
      try options.preconditions.check(current)
    } catch {
      throw Self.translate(error, r, name)
    }
    let finalizers = current.finalizers
    var orphanOrForeground: String?
    if options.propagationPolicy == "Foreground" { orphanOrForeground = "foregroundDeletion" }
    if options.propagationPolicy == "Orphan" { orphanOrForeground = "orphan" }
    if isNamespace || !finalizers.isEmpty || (orphanOrForeground != nil && hasDependents(current)) {
      if options.dryRun { return .dryRun(current.object) }
      if current.isDeleting { return .pending(.stored(current)) }
      let extra = orphanOrForeground.flatMap { hasDependents(current) ? $0 : nil }
      do {
        let stored = try store.guaranteedUpdate(k, preconditions: options.preconditions) { latest in
          guard case .object(var object) = latest.object else { return .unchanged }
          var meta = object["metadata"]?.objectValue ?? JSONObject()
          meta["deletionTimestamp"] = .string(ServerClock.timestamp())
          meta["deletionGracePeriodSeconds"] = 0
          meta["resourceVersion"] = nil
          if let g = meta["generation"]?.int64Value, g > 0 { meta["generation"] = .int(g + 1) }
          if let extra {
            var list = meta["finalizers"]?.arrayValue ?? []
            if !list.contains(.string(extra)) { list.append(.string(extra)) }
            meta["finalizers"] = .array(list)
          }
          object["metadata"] = .object(meta)
          if isNamespace {
            var status = object["status"]?.objectValue ?? JSONObject()
            status["phase"] = "Terminating"
            object["status"] = .object(status)
          }
          let strategy = Strategy(definition: r)
          ObjectMetaOrder.canonicalize(&object)
          return .update(
            .object(object),
            fields: strategy.selectableFields(object, namespace: namespace, name: name))
        }
        didCommit(r, stored)
        return .pending(.stored(stored))
      } catch let e as StoreError {
        throw Self.translate(e, r, name)
      } catch {
        throw APIError.internalError("\(error)")
      }
    }
    if options.dryRun { return .dryRun(current.object) }
    do {
      let deleted = try store.delete(k, preconditions: options.preconditions)
      didCommit(r, deleted)
      return .deleted(deleted)
    } catch {
      throw Self.translate(error, r, name)
    }
  }

  /// Deletes every selected object; returns the objects affected (kube answers with them).
  public func deleteCollection(
    _ r: ResourceDefinition, namespace: String?, labels: LabelSelector, fields: FieldSelector,
    options: DeleteOptions
  ) throws(APIError) -> [JSONValue] {
    let items = try list(r, namespace: namespace, labels: labels, fields: fields).items
    var affected: [JSONValue] = []
    for item in items {
      do {
        switch try delete(r, namespace: item.namespace, name: item.name, options: options) {
        case .deleted(let o): affected.append(o.object)
        case .pending(let w): affected.append(w.object)
        case .dryRun(let v): affected.append(v)
        }
      } catch  where error.code == 404 {
        continue
      }
    }
    return affected
  }

  /// Whether any object names `object` as an owner (by uid).
  func hasDependents(_ object: StoredObject) -> Bool {
    guard let uid = object.uid else { return false }
    return !GarbageCollection.dependents(of: uid, in: self).isEmpty
  }

  /// The post-commit hook: runs after every committed write, outside the store's critical
  /// section. CustomResourceDefinitions install, establish and uninstall their kinds here.
  private func didCommit(_ r: ResourceDefinition, _ object: StoredObject) {
    if r.group == "apiextensions.k8s.io" && r.plural == "customresourcedefinitions" {
      CustomResources.didCommit(self, object)
    }
  }

  // MARK: Helpers

  private func checkTypeMeta(_ object: JSONObject, _ r: ResourceDefinition) throws(APIError) {
    if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != r.kind {
      throw APIError.badRequest(
        "the kind in the request body (\(kind)) does not match the kind of the resource (\(r.kind))"
      )
    }
    if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty,
      apiVersion != r.apiVersion
    {
      let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
      if group != r.group {
        throw APIError.badRequest(
          "the API version in the data (\(apiVersion)) does not match the expected API version (\(r.apiVersion))"
        )
      }
    }
  }

  /// `kind` and `apiVersion` first, with the resource's values; the other members keep their
  /// order (edited in place: no member is copied).
  private func setTypeMeta(_ object: inout JSONObject, _ r: ResourceDefinition) {
    object["kind"] = nil
    object["apiVersion"] = nil
    object.insertUnique("kind", .string(r.kind), at: 0)
    object.insertUnique("apiVersion", .string(r.apiVersion), at: 1)
  }

  private func checkNamespace(
    _ meta: inout JSONObject, _ r: ResourceDefinition, _ namespace: String
  ) throws(APIError) {
    if r.namespaced {
      if let ns = meta["namespace"]?.stringValue, !ns.isEmpty, ns != namespace {
        throw APIError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request")
      }
      meta["namespace"] = .string(namespace)
    } else {
      meta["namespace"] = nil
    }
  }

  /// NamespaceLifecycle admission: content only in existing, non-terminating namespaces.
  private func checkNamespaceAcceptsContent(
    _ namespace: String, _ r: ResourceDefinition, _ name: String
  ) throws(APIError) {
    let nsKey = key(BuiltInResources.namespace, "", namespace)
    guard let ns = store.get(nsKey) else { throw APIError.namespaceNotFound(namespace) }
    if ns.isDeleting {
      var e = APIError.forbidden(
        r, name,
        "unable to create new content in namespace \(namespace) because it is being terminated")
      e.causes = [
        APIError.Cause(
          reason: "NamespaceTerminating", message: "namespace \(namespace) is being terminated",
          field: "metadata.namespace")
      ]
      throw e
    }
  }

  /// Go's `omitempty`: empty labels/annotations/finalizers maps and lists disappear.
  static func dropEmptyMaps(_ meta: inout JSONObject) {
    meta.omitEmpty(
      maps: ["labels", "annotations"], lists: ["finalizers", "ownerReferences", "managedFields"])
  }

  /// Maps a store failure to the Status kube-apiserver would send.
  public static func translate(_ error: StoreError, _ r: ResourceDefinition, _ name: String)
    -> APIError
  {
    switch error {
    case .notFound: return .notFound(r, name)
    case .alreadyExists: return .alreadyExists(r, name)
    case .conflict(_, .revision): return .conflict(r, name)
    case .conflict(_, .uid(let expected, let actual)):
      return .conflict(
        r, name,
        "Precondition failed: UID in precondition: \(expected), UID in object meta: \(actual ?? "")"
      )
    case .expired(let message): return .expired(message)
    case .continueExpired(let fresh):
      var e = APIError.expired(StoreError.continueTooOldMessage)
      e.continueToken = fresh
      return e
    case .tooLargeResourceVersion(let requested, let current):
      return .tooLargeResourceVersion(requested: requested, current: current)
    case .invalidContinueToken(let detail):
      return .badRequest("invalid continue token: \(detail)")
    case .invalidObject(let detail):
      return .internalError(detail)
    }
  }
}
