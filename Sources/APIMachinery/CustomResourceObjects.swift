import JSON

extension CustomResources {
  /// The `CustomResourceDefinition` object that describes `versions` (the catalog entries of one
  /// kind, one per served version), the inverse of `definitions(from:)`: storing it and
  /// establishing it installs exactly these entries again. The object carries
  /// `kubectl.kubernetes.io/last-applied-configuration`, as if `kubectl apply` had created it,
  /// so a user applying their own copy of the CRD (client-side or server-side with kubectl)
  /// takes it over without conflicts.
  ///
  /// Precondition: `versions` is non-empty, all entries share group, plural, kind and scope, and
  /// `storageVersion` is one of their versions.
  public static func definitionObject(_ versions: [ResourceDefinition], storageVersion: String)
    -> JSONValue
  {
    let first = versions[0]
    var names: JSONObject = [
      "plural": .string(first.plural), "singular": .string(first.singular),
      "kind": .string(first.kind), "listKind": .string(first.listKind),
    ]
    if !first.shortNames.isEmpty {
      names["shortNames"] = .array(first.shortNames.map(JSONValue.string))
    }
    if !first.categories.isEmpty {
      names["categories"] = .array(first.categories.map(JSONValue.string))
    }
    let config: JSONObject = [
      "apiVersion": "apiextensions.k8s.io/v1",
      "kind": "CustomResourceDefinition",
      "metadata": ["name": .string("\(first.plural).\(first.group)")],
      "spec": [
        "group": .string(first.group),
        "names": .object(names),
        "scope": first.namespaced ? "Namespaced" : "Cluster",
        "versions": .array(
          versions.map { versionObject($0, storage: $0.version == storageVersion) }),
      ],
    ]
    var object = config
    var meta = object["metadata"]?.objectValue ?? JSONObject()
    meta["annotations"] = [Apply.lastAppliedAnnotation: .string(Apply.lastApplied(config))]
    object["metadata"] = .object(meta)
    return .object(object)
  }

  /// One entry of `spec.versions`: flags, subresources, printer columns, selectable fields and
  /// the schema, each written only when `definitions(from:)` reads it back.
  static func versionObject(_ d: ResourceDefinition, storage: Bool) -> JSONValue {
    var v: JSONObject = [
      "name": .string(d.version), "served": true, "storage": .bool(storage),
    ]
    if d.hasStatusSubresource { v["subresources"] = ["status": .object(JSONObject())] }
    if !d.printerColumns.isEmpty {
      v["additionalPrinterColumns"] = .array(
        d.printerColumns.map { c in
          var column: JSONObject = [
            "name": .string(c.name), "type": .string(c.type), "jsonPath": .string(c.jsonPath),
          ]
          if !c.format.isEmpty { column["format"] = .string(c.format) }
          if !c.description.isEmpty { column["description"] = .string(c.description) }
          if c.priority != 0 { column["priority"] = .int(Int64(c.priority)) }
          return .object(column)
        })
    }
    if !d.extraSelectableFields.isEmpty {
      v["selectableFields"] = .array(
        d.extraSelectableFields.map { ["jsonPath": .string("." + $0)] })
    }
    v["schema"] = ["openAPIV3Schema": d.schema ?? ["type": "object"]]
    return .object(v)
  }
}
