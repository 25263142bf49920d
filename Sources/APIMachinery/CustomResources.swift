import JSON
import Store

/// Serving `CustomResourceDefinition`s (apiextensions-apiserver's establishing, naming and
/// finalizing controllers, done synchronously): a committed CRD installs one
/// `ResourceDefinition` per served version in the catalog at once and gets its
/// `acceptedNames`, `NamesAccepted` and `Established` status; a deleted CRD takes its kind and
/// every object of it away (a preloaded OCM kind falls back to its preloaded entry).
public enum CustomResources {
  static let crd = BuiltInResources.customResourceDefinition

  // MARK: CRD → catalog entries

  /// The served versions of a CRD object as catalog entries (empty if the CRD is malformed).
  public static func definitions(from crd: JSONValue) -> [ResourceDefinition] {
    guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
      let names = spec["names"], let plural = names["plural"]?.stringValue,
      let kind = names["kind"]?.stringValue, let versions = spec["versions"]?.arrayValue
    else { return [] }
    let singular = names["singular"]?.stringValue ?? kind.lowercased()
    let strings: (JSONValue?) -> [String] = { $0?.arrayValue?.compactMap(\.stringValue) ?? [] }
    var result: [ResourceDefinition] = []
    for v in versions where v["served"]?.boolValue == true {
      guard let version = v["name"]?.stringValue, !version.isEmpty else { continue }
      let columns = (v["additionalPrinterColumns"]?.arrayValue ?? []).compactMap {
        c -> PrinterColumn? in
        guard let name = c["name"]?.stringValue, let type = c["type"]?.stringValue,
          let path = c["jsonPath"]?.stringValue
        else { return nil }
        return PrinterColumn(
          name: name, type: type, jsonPath: path, format: c["format"]?.stringValue ?? "",
          description: c["description"]?.stringValue ?? "",
          priority: Int(c["priority"]?.int64Value ?? 0))
      }
      let selectable = (v["selectableFields"]?.arrayValue ?? []).compactMap { f -> String? in
        guard let path = f["jsonPath"]?.stringValue else { return nil }
        return path.hasPrefix(".") ? String(path.dropFirst()) : path
      }
      var schema = v["schema"]?["openAPIV3Schema"]
      if spec["preserveUnknownFields"]?.boolValue == true, case .object(var root)? = schema {
        // v1beta1-era CRDs that keep unknown fields: nothing is pruned.
        root["x-kubernetes-preserve-unknown-fields"] = true
        schema = .object(root)
      }
      var d = ResourceDefinition(
        group: group, version: version, kind: kind, plural: plural, singular: singular,
        namespaced: spec["scope"]?.stringValue == "Namespaced",
        shortNames: strings(names["shortNames"]),
        categories: strings(names["categories"]),
        hasStatusSubresource: v["subresources"]?["status"] != nil, printerColumns: columns,
        schema: schema, isCustomResource: true,
        extraSelectableFields: selectable)
      if let listKind = names["listKind"]?.stringValue, !listKind.isEmpty { d.listKind = listKind }
      result.append(d)
    }
    return result
  }

  /// `(group, plural)` from a CRD name `<plural>.<group>`.
  static func split(_ name: String) -> (group: String, plural: String)? {
    guard let dot = name.firstIndex(of: ".") else { return nil }
    return (String(name[name.index(after: dot)...]), String(name[..<dot]))
  }

  // MARK: Defaults and validation (used by the CRD strategy)

  /// `SetDefaults_CustomResourceDefinition`: singular, listKind and the conversion strategy.
  static func setDefaults(_ object: inout JSONObject) {
    guard var spec = object["spec"]?.objectValue else { return }
    if var names = spec["names"]?.objectValue, let kind = names["kind"]?.stringValue {
      if (names["singular"]?.stringValue ?? "").isEmpty {
        names["singular"] = .string(kind.lowercased())
      }
      if (names["listKind"]?.stringValue ?? "").isEmpty {
        names["listKind"] = .string(kind + "List")
      }
      spec["names"] = .object(names)
    }
    if spec["conversion"] == nil { spec["conversion"] = ["strategy": "None"] }
    object["spec"] = .object(spec)
  }

  /// The CRD rules kube enforces that matter for serving: the name is `<plural>.<group>`, the
  /// names, scope and versions are there, exactly one version is stored, schemas are given.
  static func validate(_ object: JSONObject, name: String) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    let spec = object["spec"]
    let group = spec?["group"]?.stringValue ?? ""
    let plural = spec?["names"]?["plural"]?.stringValue ?? ""
    if name != "\(plural).\(group)" {
      causes.append(
        .invalidValue("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"))
    }
    if group.isEmpty {
      causes.append(.required("spec.group"))
    } else if !group.contains(".") {
      causes.append(.invalidValue("spec.group", group, "should be a domain with at least one dot"))
    }
    let protected =
      group == "k8s.io" || group.hasSuffix(".k8s.io") || group == "kubernetes.io"
      || group.hasSuffix(".kubernetes.io")
    let approval = object["metadata"]?["annotations"]?["api-approved.kubernetes.io"]?.stringValue
    if protected && (approval ?? "").isEmpty {
      causes.append(
        .required(
          "metadata.annotations[api-approved.kubernetes.io]",
          "Required value: protected groups must have approval annotation \"api-approved.kubernetes.io\", see https://github.com/kubernetes/enhancements/pull/1111"
        ))
    }
    if plural.isEmpty { causes.append(.required("spec.names.plural")) }
    if (spec?["names"]?["kind"]?.stringValue ?? "").isEmpty {
      causes.append(.required("spec.names.kind"))
    }
    let scope = spec?["scope"]?.stringValue ?? ""
    if scope != "Cluster" && scope != "Namespaced" {
      if scope.isEmpty {
        causes.append(.required("spec.scope"))
      } else {
        causes.append(.notSupported("spec.scope", scope, ["Cluster", "Namespaced"]))
      }
    }
    let versions = spec?["versions"]?.arrayValue ?? []
    if versions.isEmpty {
      causes.append(.required("spec.versions", "Required value: must have at least one version"))
    } else {
      let stored = versions.filter { $0["storage"]?.boolValue == true }.count
      if stored != 1 {
        causes.append(
          APIError.Cause(
            reason: "FieldValueInvalid",
            message:
              "Invalid value: \"\(versions.count) versions\": must have exactly one version marked as storage version",
            field: "spec.versions"))
      }
      var seen = Set<String>()
      for (i, v) in versions.enumerated() {
        let vname = v["name"]?.stringValue ?? ""
        if vname.isEmpty {
          causes.append(.required("spec.versions[\(i)].name"))
        } else if !seen.insert(vname).inserted {
          causes.append(
            APIError.Cause(
              reason: "FieldValueDuplicate", message: "Duplicate value: \"\(vname)\"",
              field: "spec.versions[\(i)].name"))
        }
        if v["schema"]?["openAPIV3Schema"] == nil {
          causes.append(
            .required(
              "spec.versions[\(i)].schema.openAPIV3Schema", "Required value: schemas are required"))
        }
      }
    }
    return causes
  }

  // MARK: The post-commit hook

  /// Called by `Registry` after every committed CRD write: installs (or removes) the kinds and
  /// writes the status kube's controllers would. Idempotent (the status write re-enters here).
  static func didCommit(_ registry: Registry, _ committed: StoredObject) {
    let name = committed.name
    guard let latest = registry.store.get(registry.key(crd, "", name)) else {
      removed(registry, name: name)
      return
    }
    let definitions = definitions(from: latest.object)
    guard let (group, plural) = split(name), !definitions.isEmpty else { return }
    if definitions.contains(where: { $0.group != group || $0.plural != plural }) { return }
    let conflict = nameConflict(definitions[0], registry.catalog.snapshot)
    if conflict == nil && !installed(definitions, registry.catalog.snapshot) {
      registry.catalog.install(definitions)
    }
    establish(registry, latest, conflict: conflict)
  }

  /// The naming controller's check: a name of this CRD already used by another kind of the
  /// same group (`"x" is already in use`), as the `NamesAccepted` reason and message.
  static func nameConflict(_ d: ResourceDefinition, _ snapshot: Catalog.Snapshot) -> (
    reason: String, message: String
  )? {
    if BuiltInResources.all.contains(where: { $0.group == d.group && $0.plural == d.plural }) {
      return ("PluralConflict", "\"\(d.plural)\" is already in use")
    }
    let others = snapshot.definitions.filter { $0.group == d.group && $0.plural != d.plural }
    func used(_ name: String) -> Bool {
      others.contains { $0.plural == name || $0.singular == name || $0.shortNames.contains(name) }
    }
    if used(d.plural) { return ("PluralConflict", "\"\(d.plural)\" is already in use") }
    if !d.singular.isEmpty && used(d.singular) {
      return ("SingularConflict", "\"\(d.singular)\" is already in use")
    }
    if let short = d.shortNames.first(where: used) {
      return ("ShortNamesConflict", "\"\(short)\" is already in use")
    }
    if others.contains(where: { $0.kind == d.kind || $0.listKind == d.kind }) {
      return ("KindConflict", "\"\(d.kind)\" is already in use")
    }
    if others.contains(where: { $0.kind == d.listKind || $0.listKind == d.listKind }) {
      return ("ListKindConflict", "\"\(d.listKind)\" is already in use")
    }
    return nil
  }

  /// Whether the catalog already serves exactly these definitions (a status write changes
  /// nothing there, and an unchanged catalog keeps discovery and OpenAPI caches).
  static func installed(_ definitions: [ResourceDefinition], _ snapshot: Catalog.Snapshot) -> Bool {
    guard let first = definitions.first else { return true }
    let current = snapshot.definitions.filter {
      $0.group == first.group && $0.plural == first.plural
    }
    guard current.count == definitions.count else { return false }
    return zip(current, definitions).allSatisfy { a, b in
      a.version == b.version && a.kind == b.kind && a.listKind == b.listKind
        && a.singular == b.singular && a.shortNames == b.shortNames && a.categories == b.categories
        && a.namespaced == b.namespaced && a.hasStatusSubresource == b.hasStatusSubresource
        && a.printerColumns == b.printerColumns
        && a.extraSelectableFields == b.extraSelectableFields
        && a.isCustomResource == b.isCustomResource && a.schema == b.schema
    }
  }

  /// Installs every stored CRD (a server starting on existing data).
  public static func installStored(_ registry: Registry) {
    guard let list = try? registry.store.list(crd.resourceKey) else { return }
    for item in list.items { didCommit(registry, item) }
  }

  /// A deleted CRD: its kind goes, and so does every object of it.
  static func removed(_ registry: Registry, name: String) {
    guard let (group, plural) = split(name) else { return }
    registry.catalog.uninstall(group: group, plural: plural)
    let key = ResourceKey(group: group, resource: plural)
    if let list = try? registry.store.list(key) {
      for item in list.items { _ = try? registry.store.delete(item.key) }
    }
    let preloaded = Catalog.builtIn.filter { $0.group == group && $0.plural == plural }
    if !preloaded.isEmpty { registry.catalog.install(preloaded) }
  }

  /// The status the apiextensions controllers write: accepted names, `NamesAccepted` and
  /// `Established` conditions, stored versions.
  static func establish(
    _ registry: Registry, _ stored: StoredObject, conflict: (reason: String, message: String)? = nil
  ) {
    guard !stored.isDeleting, let spec = stored.object["spec"] else { return }
    let wanted = desiredStatus(spec: spec, old: stored.object["status"], conflict: conflict)
    if stored.object["status"] == wanted { return }
    _ = try? registry.patch(
      crd, namespace: "", name: stored.name, subresource: .status,
      options: WriteOptions(fieldManager: "kube-apiserver")
    ) { current throws(APIError) in
      guard case .object(var object) = current, let spec = object["spec"] else { return current }
      object["status"] = desiredStatus(spec: spec, old: object["status"], conflict: conflict)
      return .object(object)
    }
  }

  /// The status for `spec`: established, or (with a name conflict) names not accepted and not
  /// established; transition times of conditions whose status did not change are kept.
  static func desiredStatus(
    spec: JSONValue, old: JSONValue?, conflict: (reason: String, message: String)? = nil
  ) -> JSONValue {
    var names = spec["names"]?.objectValue ?? JSONObject()
    if let kind = names["kind"]?.stringValue {
      if names["singular"] == nil { names["singular"] = .string(kind.lowercased()) }
      if names["listKind"] == nil { names["listKind"] = .string(kind + "List") }
    }
    let oldConditions = old?["conditions"]?.arrayValue ?? []
    func condition(_ type: String, _ status: String, _ reason: String, _ message: String)
      -> JSONValue
    {
      let previous = oldConditions.first {
        $0["type"]?.stringValue == type && $0["status"]?.stringValue == status
      }
      let time = previous?["lastTransitionTime"] ?? .string(ServerClock.timestamp())
      return [
        "type": .string(type), "status": .string(status), "lastTransitionTime": time,
        "reason": .string(reason), "message": .string(message),
      ]
    }
    var storedVersions = old?["storedVersions"]?.arrayValue ?? []
    for v in spec["versions"]?.arrayValue ?? [] where v["storage"]?.boolValue == true {
      if let n = v["name"], !storedVersions.contains(n) { storedVersions.append(n) }
    }
    var status = JSONObject()
    if let conflict {
      status["conditions"] = [
        condition("NamesAccepted", "False", conflict.reason, conflict.message),
        condition("Established", "False", "NotAccepted", "not all names are accepted"),
      ]
      status["acceptedNames"] = old?["acceptedNames"] ?? ["plural": "", "kind": ""]
    } else {
      status["conditions"] = [
        condition("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
        condition(
          "Established", "True", "InitialNamesAccepted", "the initial names have been accepted"),
      ]
      status["acceptedNames"] = .object(names)
    }
    status["storedVersions"] = .array(storedVersions)
    return .object(status)
  }
}
