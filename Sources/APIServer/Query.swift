import APIMachinery
import HTTP1
import JSON
import Store

/// Query parameters of API requests, validated as kube-apiserver validates `ListOptions`,
/// `GetOptions`, `CreateOptions` and `DeleteOptions`.
enum Query {
  static func isWatch(_ head: HTTPRequestHead) -> Bool {
    let v = head.queryValue("watch")
    return v == "true" || v == "1" || v == "True"
  }

  static func revision(_ text: String) throws(APIError) -> Revision {
    guard let n = Revision(decimal: text) else {
      throw APIError.badRequest("invalid resource version: \(text)")
    }
    return n
  }

  /// GET: unset = most recent, "0" = any, n = not older than n.
  static func getRevision(_ head: HTTPRequestHead) throws(APIError) -> RevisionMatch {
    guard let rv = head.queryValue("resourceVersion"), !rv.isEmpty else { return .mostRecent }
    if rv == "0" { return .any }
    return .notOlderThan(try revision(rv))
  }

  static func selectors(_ head: HTTPRequestHead, _ r: ResourceDefinition) throws(APIError) -> (
    LabelSelector, FieldSelector
  ) {
    let labels = try LabelSelector(parsing: head.queryValue("labelSelector") ?? "")
    let fields = try FieldSelector(parsing: head.queryValue("fieldSelector") ?? "")
    try fields.validate(for: r)
    return (labels, fields)
  }

  /// The list rows of k8s-api.md B.1, with their validation errors.
  static func listOptions(_ head: HTTPRequestHead) throws(APIError) -> ListOptions {
    let rv = head.queryValue("resourceVersion") ?? ""
    let match = head.queryValue("resourceVersionMatch") ?? ""
    let token = head.queryValue("continue") ?? ""
    var limit: Int?
    if let l = head.queryValue("limit"), !l.isEmpty {
      guard let n = Int(l) else { throw APIError.badRequest("invalid limit: \(l)") }
      if n > 0 { limit = n }
    }
    // Same checks, in the same order, as apimachinery's `ValidateListOptions`.
    var causes: [APIError.Cause] = []
    if !match.isEmpty && rv.isEmpty {
      causes.append(
        .forbidden(
          "resourceVersionMatch",
          "resourceVersionMatch is forbidden unless resourceVersion is provided"))
    }
    if !match.isEmpty && !token.isEmpty {
      causes.append(
        .forbidden(
          "resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
    }
    if !match.isEmpty && match != "Exact" && match != "NotOlderThan" {
      causes.append(.notSupported("resourceVersionMatch", match, ["Exact", "NotOlderThan", ""]))
    }
    if match == "Exact" && rv == "0" {
      causes.append(
        .forbidden(
          "resourceVersionMatch",
          "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""))
    }
    if head.queryValue("sendInitialEvents") != nil {
      causes.append(.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
    }
    if !causes.isEmpty { throw APIError.invalidListOptions(causes) }
    if !token.isEmpty {
      if !rv.isEmpty && rv != "0" {
        throw APIError.badRequest("specifying resource version is not allowed when using continue")
      }
      return ListOptions(revision: .mostRecent, limit: limit, continueToken: token)
    }
    let revision: RevisionMatch
    switch (match, rv) {
    case (_, ""): revision = .mostRecent
    case ("Exact", _): revision = .exact(try Self.revision(rv))
    case ("NotOlderThan", "0"): revision = .any
    case ("NotOlderThan", _): revision = .notOlderThan(try Self.revision(rv))
    case (_, "0"): revision = .any
    default:
      let n = try Self.revision(rv)
      revision = limit == nil ? .notOlderThan(n) : .exact(n)
    }
    return ListOptions(revision: revision, limit: limit, continueToken: nil)
  }

  /// Which options object a write's query parameters decode into (named in 422s).
  enum OptionsKind: String {
    case create = "CreateOptions"
    case update = "UpdateOptions"
    case patch = "PatchOptions"
    case delete = "DeleteOptions"
  }

  /// Create/update/patch options, validated as apimachinery's `ValidateCreateOptions` (and the
  /// update/patch variants) do: 422 on the options kind, every cause listed.
  static func writeOptions(
    _ head: HTTPRequestHead, _ kind: OptionsKind = .create, user: UserInfo
  ) throws(APIError) -> WriteOptions {
    var options = WriteOptions()
    options.user = user
    let manager = head.queryValue("fieldManager") ?? ""
    var causes = fieldManagerProblems(manager)
    let dryRunValues = head.query.filter { $0.name == "dryRun" }.map(\.value)
    causes += dryRunProblems(dryRunValues)
    let validation = head.queryValue("fieldValidation") ?? ""
    if !["", "Ignore", "Strict", "Warn"].contains(validation) {
      causes.append(.notSupported("fieldValidation", validation, ["", "Ignore", "Strict", "Warn"]))
    }
    if !causes.isEmpty { throw APIError.invalidOptions(kind.rawValue, causes) }
    options.dryRun = !dryRunValues.isEmpty
    options.fieldManager = manager.isEmpty ? userAgentManager(head) : manager
    if let mode = FieldValidation(rawValue: validation) { options.fieldValidation = mode }
    return options
  }

  /// `ValidateFieldManager`: at most 128 bytes.
  static func fieldManagerProblems(_ manager: String) -> [APIError.Cause] {
    guard manager.utf8.count > 128 else { return [] }
    return [
      APIError.Cause(
        reason: "FieldValueTooLong", message: "Too long: may not be more than 128 bytes",
        field: "fieldManager")
    ]
  }

  /// `ValidateDryRun`: every value must be `All` (the list prints as Go's `[]string{...}`).
  static func dryRunProblems(_ values: [String]) -> [APIError.Cause] {
    guard values.contains(where: { $0 != "All" }) else { return [] }
    let list = values.map { "\"\($0)\"" }.joined(separator: ", ")
    return [
      APIError.Cause(
        reason: "FieldValueNotSupported",
        message: "Unsupported value: []string{\(list)}: supported values: \"All\"", field: "dryRun")
    ]
  }

  /// The User-Agent up to its first `/` (kube's default field manager).
  static func userAgentManager(_ head: HTTPRequestHead) -> String {
    guard let ua = head.headers["User-Agent"] else { return "unknown" }
    return String(ua.split(separator: "/", maxSplits: 1).first ?? "unknown")
  }

  /// DeleteOptions from the query and the body (optional), validated as
  /// `ValidateDeleteOptions` does (422 on `DeleteOptions.meta.k8s.io`).
  static func deleteOptions(_ request: HTTPRequest, user: UserInfo) throws(APIError)
    -> DeleteOptions
  {
    var options = DeleteOptions()
    options.user = user
    var dryRunValues = request.head.query.filter { $0.name == "dryRun" }.map(\.value)
    var policy = request.head.queryValue("propagationPolicy")
    var orphanDependents = request.head.queryValue("orphanDependents").map { $0 == "true" }
    if !request.body.isEmpty {
      let body = try Negotiation.decodeBody(request)
      guard case .object = body else {
        throw APIError.badRequest("DeleteOptions must be a JSON object")
      }
      if let p = body["propagationPolicy"]?.stringValue { policy = p }
      if let o = body["orphanDependents"]?.boolValue { orphanDependents = o }
      if let dry = body["dryRun"]?.arrayValue { dryRunValues = dry.compactMap(\.stringValue) }
      if let pre = body["preconditions"] {
        if let uid = pre["uid"]?.stringValue, !uid.isEmpty { options.preconditions.uid = uid }
        if let rv = pre["resourceVersion"]?.stringValue, !rv.isEmpty {
          options.preconditions.revision = try revision(rv)
        }
      }
    }
    var causes: [APIError.Cause] = []
    if orphanDependents != nil, let policy {
      causes.append(
        .invalidValue(
          "propagationPolicy", policy, "orphanDependents and deletionPropagation cannot be both set"
        ))
    }
    if let policy, !["Foreground", "Background", "Orphan"].contains(policy) {
      causes.append(
        .notSupported("propagationPolicy", policy, ["Foreground", "Background", "Orphan", "nil"]))
    }
    causes += dryRunProblems(dryRunValues)
    if !causes.isEmpty { throw APIError.invalidOptions(OptionsKind.delete.rawValue, causes) }
    options.dryRun = !dryRunValues.isEmpty
    options.propagationPolicy = policy
    if orphanDependents == true { options.propagationPolicy = "Orphan" }
    return options
  }
}
