import Certificates
import JSON

/// kube's CertificateSigningRequest strategies (`pkg/registry/certificates/certificates/
/// strategy.go`) and validation (`pkg/apis/certificates/validation`), with kube's messages:
///
/// - create: `spec.username/uid/groups/extra` come from the requester, never the client;
///   status starts empty (no pre-approved requests);
/// - main-resource update: spec and status stay as stored (only metadata changes);
/// - `/status`: spec stays; existing Approved/Denied conditions are kept as they were, so
///   only the signer's `Failed` conditions and `certificate` change;
/// - `/approval`: only `status.conditions` changes (Approved and Denied together are 422).
enum CertificateSigningRequestRules {
  // MARK: Decoding

  /// The body's `[]byte` fields must be base64, or the request fails to decode (400), as
  /// kube's JSON decoding of the typed object does.
  static func checkEncoding(_ object: JSONObject) throws(APIError) {
    for (parent, field) in [("spec", "request"), ("status", "certificate")] {
      guard let text = object[parent]?[field]?.stringValue else { continue }
      do {
        _ = try Base64.decodeStrict(text)
      } catch {
        throw APIError.badRequest(
          "CertificateSigningRequest in version \"v1\" cannot be handled as a CertificateSigningRequest: \(error)"
        )
      }
    }
  }

  // MARK: Preparing writes

  /// `csrStrategy.PrepareForCreate`.
  static func prepareForCreate(_ object: inout JSONObject, user: UserInfo?) {
    let requester = user ?? CertificateSigningRequests.unauthenticatedRequester
    var spec = object["spec"]?.objectValue ?? JSONObject()
    spec["username"] = requester.name.isEmpty ? nil : .string(requester.name)
    spec["uid"] = requester.uid.isEmpty ? nil : .string(requester.uid)
    spec["groups"] = requester.groups.isEmpty ? nil : .array(requester.groups.map { .string($0) })
    if requester.extra.isEmpty {
      spec["extra"] = nil
    } else {
      var extra = JSONObject()
      for key in requester.extra.keys.sorted() {
        extra[key] = .array(requester.extra[key]!.map { .string($0) })
      }
      spec["extra"] = .object(extra)
    }
    object["spec"] = .object(orderedSpec(spec))
    object["status"] = .object(JSONObject())
  }

  /// `csrStrategy.PrepareForUpdate`: nothing but metadata changes through the main resource.
  static func prepareForUpdate(_ object: inout JSONObject, old: JSONObject) {
    object["spec"] = old["spec"]
    object["status"] = old["status"]
  }

  /// `csrStatusStrategy.PrepareForUpdate`.
  static func prepareForStatusUpdate(_ object: JSONObject, old: JSONObject) -> JSONObject {
    var result = old
    var status = defaulted(object["status"]?.objectValue ?? JSONObject())
    var conditions = status["conditions"]?.arrayValue ?? []
    let oldConditions = old["status"]?["conditions"]?.arrayValue ?? []
    for type in [CertificateSigningRequests.approved, CertificateSigningRequests.denied] {
      preserveInstances(of: type, in: &conditions, from: oldConditions)
    }
    populateTimestamps(&conditions, old: oldConditions)
    status["conditions"] = conditions.isEmpty ? nil : .array(conditions)
    result["status"] = .object(orderedStatus(status))
    return result
  }

  /// `csrApprovalStrategy.PrepareForUpdate`: the stored object with the request's conditions.
  static func prepareForApprovalUpdate(_ object: JSONObject, old: JSONObject) -> JSONObject {
    var result = old
    var status = old["status"]?.objectValue ?? JSONObject()
    let requested = defaulted(object["status"]?.objectValue ?? JSONObject())
    var conditions = requested["conditions"]?.arrayValue ?? []
    populateTimestamps(&conditions, old: old["status"]?["conditions"]?.arrayValue ?? [])
    status["conditions"] = conditions.isEmpty ? nil : .array(conditions)
    result["status"] = .object(orderedStatus(status))
    return result
  }

  /// Condition `status` defaults to True (`SetDefaults_CertificateSigningRequestCondition`).
  private static func defaulted(_ status: JSONObject) -> JSONObject {
    guard let conditions = status["conditions"]?.arrayValue else { return status }
    var result = status
    result["conditions"] = .array(
      conditions.map { c in
        guard case .object(var o) = c else { return c }
        if (o["status"]?.stringValue ?? "").isEmpty { o["status"] = "True" }
        return .object(orderedCondition(o))
      })
    return result
  }

  /// `preserveConditionInstances`: when the counts match, the stored instances of `type` win.
  private static func preserveInstances(
    of type: String, in conditions: inout [JSONValue], from old: [JSONValue]
  ) {
    let oldIndices = old.indices.filter { old[$0]["type"]?.stringValue == type }
    let newIndices = conditions.indices.filter { conditions[$0]["type"]?.stringValue == type }
    guard oldIndices.count == newIndices.count else { return }
    for (o, n) in zip(oldIndices, newIndices) { conditions[n] = old[o] }
  }

  /// `populateConditionTimestamps`: lastUpdateTime defaults to now; lastTransitionTime to the
  /// stored one of a condition with the same type and status, else now.
  private static func populateTimestamps(_ conditions: inout [JSONValue], old: [JSONValue]) {
    let now = ServerClock.timestamp()
    for i in conditions.indices {
      guard case .object(var c) = conditions[i] else { continue }
      if (c["lastUpdateTime"]?.stringValue ?? "").isEmpty { c["lastUpdateTime"] = .string(now) }
      if (c["lastTransitionTime"]?.stringValue ?? "").isEmpty {
        let previous = old.first { o in
          o["type"] == c["type"] && o["status"] == c["status"]
            && !(o["lastTransitionTime"]?.stringValue ?? "").isEmpty
        }
        c["lastTransitionTime"] = previous?["lastTransitionTime"] ?? .string(now)
      }
      conditions[i] = .object(orderedCondition(c))
    }
  }

  // MARK: Go field order

  private static func ordered(_ object: JSONObject, _ keys: [String]) -> JSONObject {
    var result = JSONObject()
    for key in keys { if let v = object[key] { result[key] = v } }
    for m in object.members where !keys.contains(m.key) { result[m.key] = m.value }
    return result
  }

  static func orderedSpec(_ spec: JSONObject) -> JSONObject {
    ordered(
      spec,
      [
        "request", "signerName", "expirationSeconds", "usages", "username", "uid", "groups",
        "extra",
      ])
  }

  static func orderedStatus(_ status: JSONObject) -> JSONObject {
    ordered(status, ["conditions", "certificate"])
  }

  static func orderedCondition(_ condition: JSONObject) -> JSONObject {
    ordered(
      condition,
      ["type", "status", "reason", "message", "lastUpdateTime", "lastTransitionTime"])
  }

  // MARK: Validation

  /// `validateCertificateSigningRequest` with the options of a create (every rule strict).
  static func validate(_ object: JSONObject) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    let spec = object["spec"]?.objectValue ?? JSONObject()
    let request = spec["request"]?.stringValue.flatMap { try? Base64.decodeStrict($0) }
    if let problem = requestProblem(request) {
      causes.append(
        APIError.Cause(
          reason: "FieldValueInvalid",
          message: "Invalid value: \(goBytesLiteral(request)): \(problem)", field: "spec.request"))
    }
    let usages = (spec["usages"]?.arrayValue ?? []).map { $0.stringValue ?? "" }
    if usages.isEmpty {
      causes.append(.required("spec.usages", "Required value: usages must be provided"))
    }
    for (i, usage) in usages.enumerated()
    where !CertificateSigningRequests.validUsages.contains(usage) {
      causes.append(
        .notSupported("spec.usages[\(i)]", usage, CertificateSigningRequests.validUsages))
    }
    var seenUsages = Set<String>()
    for (i, usage) in usages.enumerated() where !seenUsages.insert(usage).inserted {
      causes.append(duplicate("spec.usages[\(i)]", usage))
    }
    let signerName = spec["signerName"]?.stringValue ?? ""
    if signerName == CertificateSigningRequests.legacyUnknownSigner {
      causes.append(
        .invalidValue(
          "spec.signerName", signerName, "the legacy signerName is not allowed via this API version"
        ))
    } else {
      causes += signerNameProblems(signerName)
    }
    if let seconds = spec["expirationSeconds"]?.int64Value, seconds < 600 {
      causes.append(
        APIError.Cause(
          reason: "FieldValueInvalid",
          message:
            "Invalid value: \(seconds): may not specify a duration less than 600 seconds (10 minutes)",
          field: "spec.expirationSeconds"))
    }
    causes += conditionProblems(object["status"]?["conditions"]?.arrayValue ?? [])
    if let text = object["status"]?["certificate"]?.stringValue, !text.isEmpty,
      let bytes = try? Base64.decodeStrict(text), let problem = certificateProblem(bytes)
    {
      causes.append(
        .invalidValue("status.certificate", "<certificate data>", problem))
    }
    return causes
  }

  /// The update rules of `validateCertificateSigningRequestUpdate` that the strategies leave
  /// reachable: conditions of type Approved/Denied/Failed are never removed; only `/approval`
  /// adds Approved/Denied; `/status` sets a certificate once.
  static func validateUpdate(_ object: JSONObject, old: JSONObject, subresource: Subresource)
    -> [APIError.Cause]
  {
    var causes: [APIError.Cause] = []
    let newTypes = CertificateSigningRequests.conditionTypes(.object(object))
    let oldTypes = CertificateSigningRequests.conditionTypes(.object(old))
    func count(_ types: [String], _ type: String) -> Int { types.filter { $0 == type }.count }
    for type in [
      CertificateSigningRequests.approved, CertificateSigningRequests.denied,
      CertificateSigningRequests.failed,
    ] where count(newTypes, type) < count(oldTypes, type) {
      causes.append(
        .forbidden("status.conditions", "updates may not remove a condition of type \"\(type)\""))
    }
    if subresource != .approval {
      for type in [CertificateSigningRequests.approved, CertificateSigningRequests.denied]
      where count(newTypes, type) > count(oldTypes, type) {
        causes.append(
          .forbidden("status.conditions", "updates may not add a condition of type \"\(type)\""))
      }
    }
    let newCertificate = object["status"]?["certificate"]?.stringValue ?? ""
    let oldCertificate = old["status"]?["certificate"]?.stringValue ?? ""
    if newCertificate != oldCertificate {
      if subresource != .status {
        causes.append(.forbidden("status.certificate", "updates may not set certificate content"))
      } else if !oldCertificate.isEmpty {
        causes.append(
          .forbidden("status.certificate", "updates may not modify existing certificate content"))
      }
    }
    return causes
  }

  /// Why `pem` is not a usable request (`certificates.ParseCSR` + `CheckSignature`), or nil.
  static func requestProblem(_ pem: [UInt8]?) -> String? {
    let text = String(decoding: pem ?? [], as: UTF8.self)
    let first: PEM.Block?
    do {
      first = try PEM.decode(text).first
    } catch {
      return error.description
    }
    guard let first, first.type == "CERTIFICATE REQUEST" else {
      return "PEM block type must be CERTIFICATE REQUEST"
    }
    do {
      _ = try CertificateRequest(pem: PEM.encode(type: first.type, der: first.der))
      return nil
    } catch {
      return error.description
    }
  }

  /// `validateCertificate`: only CERTIFICATE blocks, each a parseable certificate, at least one.
  static func certificateProblem(_ pem: [UInt8]) -> String? {
    let blocks: [PEM.Block]
    do {
      blocks = try PEM.decode(String(decoding: pem, as: UTF8.self))
    } catch {
      return error.description
    }
    for block in blocks {
      guard block.type == "CERTIFICATE" else {
        return "only CERTIFICATE PEM blocks are allowed, found \"\(block.type)\""
      }
      do {
        _ = try Certificate(der: block.der)
      } catch {
        return error.description
      }
    }
    return blocks.isEmpty ? "must contain at least one CERTIFICATE PEM block" : nil
  }

  /// `ValidateCertificateSigningRequestSignerName`: `<domain>/<path>`, DNS labels and
  /// subdomains, bounded lengths.
  static func signerNameProblems(_ signerName: String) -> [APIError.Cause] {
    let field = "spec.signerName"
    if signerName.isEmpty {
      return [.required(field, "Required value: signerName must be provided")]
    }
    let segments = signerName.split(separator: "/", omittingEmptySubsequences: false).map(
      String.init)
    guard segments.count == 2 else {
      return [
        .invalidValue(
          field, signerName,
          "must be a fully qualified domain and path of the form 'example.com/signer-name'")
      ]
    }
    var causes: [APIError.Cause] = []
    let domain = segments[0]
    if domain.utf8.count > 253 { causes.append(tooLong(field, 253)) }
    let domainLabels = domain.split(separator: ".", omittingEmptySubsequences: false).map(
      String.init)
    for label in domainLabels {
      let problems = NameValidation.labelProblems(label)
      guard !problems.isEmpty else { continue }
      for p in problems {
        causes.append(.invalidValue(field, domain, "validating label \"\(label)\": \(p)"))
      }
      break
    }
    if domainLabels.count < 2 {
      causes.append(
        .invalidValue(
          field, domain, "should be a domain with at least two segments separated by dots"))
    }
    let path = segments[1]
    for label in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
      let problems = NameValidation.subdomainProblems(label)
      guard !problems.isEmpty else { continue }
      for p in problems {
        causes.append(.invalidValue(field, path, "validating label \"\(label)\": \(p)"))
      }
      break
    }
    let maxLength = 253 + (253 + 63 + 1) + 1
    if signerName.utf8.count > maxLength { causes.append(tooLong(field, maxLength)) }
    return causes
  }

  /// `validateConditions`: types present and unique, Approved/Denied/Failed only True,
  /// Approved and Denied exclusive.
  static func conditionProblems(_ conditions: [JSONValue]) -> [APIError.Cause] {
    var causes: [APIError.Cause] = []
    var seen = Set<String>()
    var hasApproved = false
    var hasDenied = false
    let trueOnly = [
      CertificateSigningRequests.approved, CertificateSigningRequests.denied,
      CertificateSigningRequests.failed,
    ]
    for (i, c) in conditions.enumerated() {
      let path = "status.conditions[\(i)]"
      let type = c["type"]?.stringValue ?? ""
      let status = c["status"]?.stringValue ?? ""
      if type.isEmpty { causes.append(.required("\(path).type")) }
      let allowed = trueOnly.contains(type) ? ["True"] : ["False", "True", "Unknown"]
      if status.isEmpty {
        causes.append(.required("\(path).status"))
      } else if !allowed.contains(status) {
        causes.append(.notSupported("\(path).status", status, allowed))
      }
      if type == CertificateSigningRequests.approved {
        hasApproved = true
        if hasDenied {
          causes.append(
            .invalidValue(
              "\(path).type", type, "Approved and Denied conditions are mutually exclusive"))
        }
      } else if type == CertificateSigningRequests.denied {
        hasDenied = true
        if hasApproved {
          causes.append(
            .invalidValue(
              "\(path).type", type, "Approved and Denied conditions are mutually exclusive"))
        }
      }
      if !seen.insert(type).inserted { causes.append(duplicate("\(path).type", type)) }
    }
    return causes
  }

  private static func duplicate(_ field: String, _ value: String) -> APIError.Cause {
    APIError.Cause(
      reason: "FieldValueDuplicate", message: "Duplicate value: \"\(value)\"", field: field)
  }

  private static func tooLong(_ field: String, _ limit: Int) -> APIError.Cause {
    APIError.Cause(
      reason: "FieldValueTooLong", message: "Too long: may not be more than \(limit) bytes",
      field: field)
  }

  /// Go's `%#v` of a `[]byte`, the way a field error prints a bad `[]byte` value.
  static func goBytesLiteral(_ bytes: [UInt8]?) -> String {
    guard let bytes else { return "[]byte(nil)" }
    let hex: [Character] = Array("0123456789abcdef")
    var out = "[]byte{"
    out.reserveCapacity(8 + bytes.count * 6)
    for (i, b) in bytes.enumerated() {
      if i > 0 { out += ", " }
      out += "0x"
      out.append(hex[Int(b >> 4)])
      out.append(hex[Int(b & 15)])
    }
    return out + "}"
  }
}
