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

  static func writeOptions(_ head: HTTPRequestHead) throws(APIError) -> WriteOptions {
    var options = WriteOptions()
    options.dryRun = try dryRun(head.queryValue("dryRun"))
    options.fieldManager = head.queryValue("fieldManager") ?? userAgentManager(head)
    if let v = head.queryValue("fieldValidation"), !v.isEmpty {
      guard let mode = FieldValidation(rawValue: v) else {
        throw APIError.badRequest(
          "fieldValidation must be one of Ignore, Warn, or Strict, got \(v)")
      }
      options.fieldValidation = mode
    }
    return options
  }

  /// `dryRun=All` (the only value kube accepts).
  static func dryRun(_ value: String?) throws(APIError) -> Bool {
    guard let value, !value.isEmpty else { return false }
    guard value == "All" else {
      throw APIError.badRequest("Invalid dryRun value: \(value); supported values: \"All\"")
    }
    return true
  }

  /// The User-Agent up to its first `/` (kube's default field manager).
  static func userAgentManager(_ head: HTTPRequestHead) -> String {
    guard let ua = head.headers["User-Agent"] else { return "unknown" }
    return String(ua.split(separator: "/", maxSplits: 1).first ?? "unknown")
  }

  /// DeleteOptions from the body (optional) and the query.
  static func deleteOptions(_ request: HTTPRequest) throws(APIError) -> DeleteOptions {
    var options = DeleteOptions()
    options.dryRun = try dryRun(request.head.queryValue("dryRun"))
    options.propagationPolicy = request.head.queryValue("propagationPolicy")
    guard !request.body.isEmpty else { return options }
    let body = try Negotiation.decodeBody(request)
    guard case .object = body else {
      throw APIError.badRequest("DeleteOptions must be a JSON object")
    }
    if let policy = body["propagationPolicy"]?.stringValue {
      guard ["Background", "Foreground", "Orphan"].contains(policy) else {
        throw APIError.invalid(
          BuiltInResources.namespace, "",
          [.notSupported("propagationPolicy", policy, ["Background", "Foreground", "Orphan"])])
      }
      options.propagationPolicy = policy
    }
    if body["orphanDependents"]?.boolValue == true { options.propagationPolicy = "Orphan" }
    if let dry = body["dryRun"]?.arrayValue, dry.contains("All") { options.dryRun = true }
    if let pre = body["preconditions"] {
      if let uid = pre["uid"]?.stringValue, !uid.isEmpty { options.preconditions.uid = uid }
      if let rv = pre["resourceVersion"]?.stringValue, !rv.isEmpty {
        options.preconditions.revision = try revision(rv)
      }
    }
    return options
  }
}
