import JSON

/// kube's RBAC defaulting and validation (`pkg/apis/rbac/v1/defaults.go`,
/// `pkg/apis/rbac/validation/validation.go`) with the same field paths and messages: rules need
/// verbs and either resources with API groups or non-resource URLs (cluster roles only);
/// bindings need a supported roleRef (immutable once set) and well-formed subjects.
enum RBACValidation {
  static let group = RBACResources.group

  /// Whether `definition` is one of the four RBAC kinds.
  static func isRBAC(_ definition: ResourceDefinition) -> Bool { definition.group == group }

  /// `SetDefaults_Subject`: User and Group subjects without an apiGroup get the RBAC group.
  static func setDefaults(_ object: inout JSONObject) {
    guard var subjects = object["subjects"]?.arrayValue else { return }
    for i in subjects.indices {
      guard var s = subjects[i].objectValue else { continue }
      let kind = s["kind"]?.stringValue ?? ""
      if (s["apiGroup"]?.stringValue ?? "").isEmpty && (kind == "User" || kind == "Group") {
        s["apiGroup"] = .string(group)
        subjects[i] = .object(s)
      }
    }
    object["subjects"] = .array(subjects)
  }

  /// RBAC names only have to be path segments (`ValidateRBACName`), so `a:b` is fine.
  static func nameProblems(_ name: String) -> [String] {
    name.isEmpty ? [] : NameValidation.pathSegmentProblems(name)
  }

  static func validate(_ object: JSONObject, definition: ResourceDefinition) -> [APIError.Cause] {
    switch definition.kind {
    case "Role", "ClusterRole":
      var causes: [APIError.Cause] = []
      for (i, rule) in (object["rules"]?.arrayValue ?? []).enumerated() {
        causes += validateRule(
          rule.objectValue ?? JSONObject(), namespaced: definition.namespaced,
          path: "rules[\(i)]")
      }
      return causes
    case "RoleBinding", "ClusterRoleBinding":
      return validateBinding(object, namespaced: definition.namespaced)
    default:
      return []
    }
  }

  /// `ValidateRoleBindingUpdate`: the roleRef never changes.
  static func validateUpdate(_ object: JSONObject, old: JSONObject, definition: ResourceDefinition)
    -> [APIError.Cause]
  {
    guard definition.kind.hasSuffix("Binding"), object["roleRef"] != old["roleRef"] else {
      return []
    }
    let ref = object["roleRef"]?.objectValue ?? JSONObject()
    let text =
      "rbac.RoleRef{APIGroup:\"\(ref["apiGroup"]?.stringValue ?? "")\", Kind:\"\(ref["kind"]?.stringValue ?? "")\", Name:\"\(ref["name"]?.stringValue ?? "")\"}"
    return [
      APIError.Cause(
        reason: "FieldValueInvalid", message: "Invalid value: \(text): cannot change roleRef",
        field: "roleRef")
    ]
  }

  static func strings(_ value: JSONValue?) -> [String] {
    (value?.arrayValue ?? []).compactMap(\.stringValue)
  }

  /// Go's `%v` of a `[]string` as field errors print it: `[]string{"a", "b"}`.
  static func goStrings(_ values: [String]) -> String {
    "[]string{" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "}"
  }

  static func validateRule(_ rule: JSONObject, namespaced: Bool, path: String) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    if strings(rule["verbs"]).isEmpty {
      causes.append(
        .required("\(path).verbs", "Required value: verbs must contain at least one value"))
    }
    let urls = strings(rule["nonResourceURLs"])
    let groups = strings(rule["apiGroups"])
    let resources = strings(rule["resources"])
    if !urls.isEmpty {
      func invalid(_ detail: String) -> APIError.Cause {
        APIError.Cause(
          reason: "FieldValueInvalid", message: "Invalid value: \(goStrings(urls)): \(detail)",
          field: "\(path).nonResourceURLs")
      }
      if namespaced { causes.append(invalid("namespaced rules cannot apply to non-resource URLs")) }
      if !groups.isEmpty || !resources.isEmpty || !strings(rule["resourceNames"]).isEmpty {
        causes.append(invalid("rules cannot apply to both regular resources and non-resource URLs"))
      }
      return causes
    }
    if groups.isEmpty {
      causes.append(
        .required(
          "\(path).apiGroups", "Required value: resource rules must supply at least one api group"))
    }
    if resources.isEmpty {
      causes.append(
        .required(
          "\(path).resources", "Required value: resource rules must supply at least one resource"))
    }
    return causes
  }

  static func validateBinding(_ object: JSONObject, namespaced: Bool) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    let ref = object["roleRef"]?.objectValue ?? JSONObject()
    let apiGroup = ref["apiGroup"]?.stringValue ?? ""
    if apiGroup != group { causes.append(.notSupported("roleRef.apiGroup", apiGroup, [group])) }
    let kind = ref["kind"]?.stringValue ?? ""
    let kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"]
    if !kinds.contains(kind) { causes.append(.notSupported("roleRef.kind", kind, kinds)) }
    let name = ref["name"]?.stringValue ?? ""
    if name.isEmpty {
      causes.append(.required("roleRef.name"))
    } else {
      for p in nameProblems(name) { causes.append(.invalidValue("roleRef.name", name, p)) }
    }
    for (i, s) in (object["subjects"]?.arrayValue ?? []).enumerated() {
      causes += validateSubject(
        s.objectValue ?? JSONObject(), namespaced: namespaced, path: "subjects[\(i)]")
    }
    return causes
  }

  static func validateSubject(_ s: JSONObject, namespaced: Bool, path: String) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    let name = s["name"]?.stringValue ?? ""
    let apiGroup = s["apiGroup"]?.stringValue ?? ""
    if name.isEmpty { causes.append(.required("\(path).name")) }
    switch s["kind"]?.stringValue ?? "" {
    case "ServiceAccount":
      if !name.isEmpty {
        for p in NameValidation.subdomainProblems(name) {
          causes.append(.invalidValue("\(path).name", name, p))
        }
      }
      if !apiGroup.isEmpty { causes.append(.notSupported("\(path).apiGroup", apiGroup, [""])) }
      if !namespaced && (s["namespace"]?.stringValue ?? "").isEmpty {
        causes.append(.required("\(path).namespace"))
      }
    case "User", "Group":
      if apiGroup != group { causes.append(.notSupported("\(path).apiGroup", apiGroup, [group])) }
    default:
      causes.append(
        .notSupported(
          "\(path).kind", s["kind"]?.stringValue ?? "", ["ServiceAccount", "User", "Group"]))
    }
    return causes
  }
}
