import JSON

/// Kind-specific write behaviour (kube's REST strategies): what a create forces, what an update
/// keeps, what is validated, which fields are selectable. Chosen from the definition, so custom
/// resources all share the generic behaviour.
struct Strategy {
  let definition: ResourceDefinition
  /// The requester of the write (CertificateSigningRequest creation records it).
  var user: UserInfo? = nil

  private var isNamespace: Bool { definition.group.isEmpty && definition.plural == "namespaces" }
  private var isConfigMap: Bool { definition.group.isEmpty && definition.plural == "configmaps" }
  private var isSecret: Bool { definition.group.isEmpty && definition.plural == "secrets" }
  private var isCRD: Bool {
    definition.group == "apiextensions.k8s.io" && definition.plural == "customresourcedefinitions"
  }
  private var isCSR: Bool {
    definition.group == "certificates.k8s.io" && definition.plural == "certificatesigningrequests"
  }

  /// Body fields that must decode before anything else (400 when they do not).
  func checkEncoding(_ object: JSONObject) throws(APIError) {
    if isCSR { try CertificateSigningRequestRules.checkEncoding(object) }
  }

  // MARK: Create / update

  /// Adjusts a new object (status rules, Namespace defaults).
  func prepareForCreate(_ object: inout JSONObject) {
    if isNamespace {
      var spec = object["spec"]?.objectValue ?? JSONObject()
      var finalizers = spec["finalizers"]?.arrayValue ?? []
      if !finalizers.contains(.string("kubernetes")) { finalizers.append("kubernetes") }
      spec["finalizers"] = .array(finalizers)
      object["spec"] = .object(spec)
      object["status"] = ["phase": "Active"]
      var meta = object["metadata"]?.objectValue ?? JSONObject()
      var labels = meta["labels"]?.objectValue ?? JSONObject()
      labels["kubernetes.io/metadata.name"] = meta["name"] ?? ""
      meta["labels"] = .object(labels)
      object["metadata"] = .object(meta)
    } else if definition.hasStatusSubresource && definition.isCustomResource {
      object["status"] = nil
    }
    if isSecret && (object["type"]?.stringValue ?? "").isEmpty { object["type"] = "Opaque" }
    normalizeBuiltIn(&object)
    if isCRD {
      object["status"] = nil
      CustomResources.setDefaults(&object)
    }
    if isCSR { CertificateSigningRequestRules.prepareForCreate(&object, user: user) }
  }

  /// What the round trip through kube's typed structs does to ConfigMaps and Secrets: Secret
  /// `stringData` (write-only) is merged into `data` base64-encoded, and empty `data`,
  /// `binaryData` and `stringData` maps disappear (Go's `omitempty`).
  func normalizeBuiltIn(_ object: inout JSONObject) {
    if RBACValidation.isRBAC(definition) { RBACValidation.setDefaults(&object) }
    guard isConfigMap || isSecret else { return }
    if isSecret, let stringData = object["stringData"]?.objectValue {
      var data = object["data"]?.objectValue ?? JSONObject()
      for m in stringData.members {
        if let text = m.value.stringValue { data[m.key] = .string(Base64.encode(Array(text.utf8))) }
      }
      object["data"] = .object(data)
      object["stringData"] = nil
    }
    object.omitEmpty(maps: ["data", "binaryData", "stringData"], lists: [])
  }

  /// Adjusts an update of the main resource: status (and Namespace spec.finalizers) stay as
  /// stored; only `/status` and `/finalize` change them.
  func prepareForUpdate(_ object: inout JSONObject, old: JSONObject) {
    if definition.hasStatusSubresource {
      object["status"] = old["status"]
    }
    if isNamespace {
      var spec = object["spec"]?.objectValue ?? JSONObject()
      spec["finalizers"] = old["spec"]?["finalizers"]
      object["spec"] = .object(spec)
      var meta = object["metadata"]?.objectValue ?? JSONObject()
      var labels = meta["labels"]?.objectValue ?? JSONObject()
      labels["kubernetes.io/metadata.name"] = meta["name"] ?? ""
      meta["labels"] = .object(labels)
      object["metadata"] = .object(meta)
    }
    if isSecret && (object["type"]?.stringValue ?? "").isEmpty {
      object["type"] = old["type"] ?? "Opaque"
    }
    normalizeBuiltIn(&object)
    if isCRD { CustomResources.setDefaults(&object) }
    if isCSR { CertificateSigningRequestRules.prepareForUpdate(&object, old: old) }
  }

  /// A `/status` write: the stored object with only `status` taken from the request
  /// (Namespace status writes also keep `spec`).
  func prepareForStatusUpdate(_ object: JSONObject, old: JSONObject) -> JSONObject {
    if isCSR { return CertificateSigningRequestRules.prepareForStatusUpdate(object, old: old) }
    var result = old
    result["status"] = object["status"]
    return result
  }

  /// A CertificateSigningRequest `/approval` write: only `status.conditions` changes.
  func prepareForApprovalUpdate(_ object: JSONObject, old: JSONObject) -> JSONObject {
    CertificateSigningRequestRules.prepareForApprovalUpdate(object, old: old)
  }

  /// A Namespace `/finalize` write: only `spec.finalizers` changes.
  func prepareForFinalize(_ object: JSONObject, old: JSONObject) -> JSONObject {
    var result = old
    var spec = old["spec"]?.objectValue ?? JSONObject()
    spec["finalizers"] = object["spec"]?["finalizers"] ?? .array([])
    result["spec"] = .object(spec)
    return result
  }

  /// Whether an update changes what `generation` counts (everything but metadata and status).
  func specChanged(_ new: JSONObject, _ old: JSONObject) -> Bool {
    for m in new.members where m.key != "metadata" && m.key != "status" {
      if old[m.key] != m.value { return true }
    }
    for m in old.members where m.key != "metadata" && m.key != "status" && new[m.key] == nil {
      return true
    }
    return false
  }

  // MARK: Validation

  func validate(_ object: JSONObject, name: String) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    let nameProblems =
      RBACValidation.isRBAC(definition) || isCSR  // CSR names are free-form in kube
      ? []
      : isNamespace
        ? NameValidation.labelProblems(name) : NameValidation.subdomainProblems(name)
    for p in nameProblems + NameValidation.pathSegmentProblems(name) {
      causes.append(.invalidValue("metadata.name", name, p))
    }
    let meta = object["metadata"]?.objectValue ?? JSONObject()
    causes += Self.validateLabels(meta["labels"])
    causes += Self.validateAnnotations(meta["annotations"])
    if isConfigMap || isSecret { causes += validateData(object) }
    if isCRD { causes += CustomResources.validate(object, name: name) }
    if isCSR { causes += CertificateSigningRequestRules.validate(object) }
    causes += RBACValidation.validate(object, definition: definition)
    return causes
  }

  /// Update-only rules (`ValidateConfigMapUpdate`, `ValidateSecretUpdate`): once `immutable` is
  /// set, it and the data stay; a Secret's `type` never changes.
  func validateUpdate(_ object: JSONObject, old: JSONObject, subresource: Subresource = .main)
    -> [APIError.Cause]
  {
    if isCSR {
      return CertificateSigningRequestRules.validateUpdate(
        object, old: old, subresource: subresource)
    }
    if RBACValidation.isRBAC(definition) {
      return RBACValidation.validateUpdate(object, old: old, definition: definition)
    }
    guard isConfigMap || isSecret else { return [] }
    var causes: [APIError.Cause] = []
    if isSecret, let oldType = old["type"]?.stringValue, let type = object["type"]?.stringValue,
      type != oldType
    {
      causes.append(.invalidValue("type", type, "field is immutable"))
    }
    if old["immutable"]?.boolValue == true {
      let message = "field is immutable when `immutable` is set"
      if object["immutable"]?.boolValue != true { causes.append(.forbidden("immutable", message)) }
      let fields = isConfigMap ? ["data", "binaryData"] : ["data"]
      for field in fields where object[field] != old[field] {
        causes.append(.forbidden(field, message))
      }
    }
    return causes
  }

  static func validateLabels(_ labels: JSONValue?) -> [APIError.Cause] {
    guard let labels = labels?.objectValue else { return [] }
    var causes: [APIError.Cause] = []
    for m in labels.members {
      if let p = LabelValidation.keyProblem(m.key) {
        causes.append(.invalidValue("metadata.labels", m.key, p))
      }
      guard let v = m.value.stringValue else {
        causes.append(.invalidValue("metadata.labels", m.key, "label values must be strings"))
        continue
      }
      if let p = LabelValidation.valueProblem(v) {
        causes.append(.invalidValue("metadata.labels", v, p))
      }
    }
    return causes
  }

  static func validateAnnotations(_ annotations: JSONValue?) -> [APIError.Cause] {
    guard let annotations = annotations?.objectValue else { return [] }
    var causes: [APIError.Cause] = []
    var total = 0
    for m in annotations.members {
      // Keys are checked lower-cased (ASCII keys without capitals need no copy).
      let key =
        m.key.utf8.allSatisfy { $0 < 0x80 && ($0 < 65 || $0 > 90) } ? m.key : m.key.lowercased()
      if let p = LabelValidation.keyProblem(key) {
        causes.append(.invalidValue("metadata.annotations", m.key, p))
      }
      total += m.key.utf8.count + (m.value.stringValue?.utf8.count ?? 0)
    }
    if total > 256 * 1024 {
      causes.append(
        APIError.Cause(
          reason: "FieldValueTooLong", message: "Too long: may not be more than 262144 bytes",
          field: "metadata.annotations"))
    }
    return causes
  }

  /// ConfigMap/Secret key rules and the 1 MiB total (`ValidateConfigMap`).
  private func validateData(_ object: JSONObject) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    var total = 0
    let data = object["data"]?.objectValue
    let binaryData = object["binaryData"]?.objectValue
    func check(_ field: String, _ map: JSONObject?) {
      guard let map else { return }
      for m in map.members {
        if let p = Self.configMapKeyProblem(m.key) {
          causes.append(.invalidValue("\(field)[\(m.key)]", m.key, p))
        }
        // Keys of one map are unique: only a binaryData key can repeat a data key.
        if isConfigMap && field == "binaryData" && data?.index(of: m.key) != nil {
          causes.append(
            .invalidValue("data[\(m.key)]", m.key, "duplicate of key present in binaryData"))
        }
        if case .string(let s) = m.value { total += s.utf8.count }
      }
    }
    check("data", data)
    check("binaryData", binaryData)
    check("stringData", object["stringData"]?.objectValue)
    if total > 1 << 20 {
      causes.append(
        APIError.Cause(
          reason: "FieldValueTooLong", message: "Too long: may not be more than 1048576 bytes",
          field: "[]"))
    }
    return causes
  }

  static func configMapKeyProblem(_ key: String) -> String? {
    var key = key
    return key.withUTF8 { b -> String? in
      // `[-._a-zA-Z0-9]+`, at most 253 bytes, over the bytes (every data key of every write).
      var ok = !b.isEmpty && b.count <= 253
      if ok {
        for c in b {
          let alnum = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57)
          if !alnum && c != 45 && c != 95 && c != 46 {
            ok = false
            break
          }
        }
      }
      if !ok {
        return
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
      }
      guard b[0] == UInt8(ascii: ".") else { return nil }
      if b.count == 1 { return "must not be '.'" }
      guard b[1] == UInt8(ascii: ".") else { return nil }
      return b.count == 2 ? "must not be '..'" : "must not start with '..'"
    }
  }

  // MARK: Fields

  /// The field-selector fields of a stored object.
  func selectableFields(_ object: JSONObject, namespace: String, name: String) -> [String: String] {
    // Sized once: a literal of one entry grows (and rehashes) at the second.
    var fields = [String: String](minimumCapacity: 2 + definition.extraSelectableFields.count)
    fields["metadata.name"] = name
    if definition.namespaced { fields["metadata.namespace"] = namespace }
    for path in definition.extraSelectableFields {
      var value: JSONValue? = .object(object)
      for part in path.split(separator: ".") { value = value?[String(part)] }
      switch value {
      case .string(let s)?: fields[path] = s
      case .int(let i)?: fields[path] = String(i)
      case .bool(let b)?: fields[path] = b ? "true" : "false"
      default: fields[path] = ""
      }
    }
    return fields
  }
}

/// Standard base64 with padding (Secret `data` values).
enum Base64 {
  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i + 3 <= bytes.count {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      out += [
        alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)],
        alphabet[Int(n & 63)],
      ]
      i += 3
    }
    let rest = bytes.count - i
    if rest > 0 {
      let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)]]
      out +=
        rest == 2
        ? [alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")] : [UInt8(ascii: "="), UInt8(ascii: "=")]
    }
    return String(decoding: out, as: UTF8.self)
  }
}
