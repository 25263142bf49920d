import JSON

/// A failed API request as kube-apiserver reports it: a `metav1.Status` with code, reason,
/// message and details. Constructors mirror apimachinery's `pkg/api/errors` so messages match
/// word for word (see docs/api.md).
public struct APIError: Error, Sendable, Equatable {
  /// One `StatusCause` (`reason` is a CauseType such as `FieldValueInvalid`).
  public struct Cause: Sendable, Equatable {
    public var reason: String
    public var message: String
    public var field: String

    public init(reason: String, message: String, field: String) {
      self.reason = reason
      self.message = message
      self.field = field
    }
  }

  public var code: Int
  public var reason: String
  public var message: String
  /// `details` members; nil name/group/kind are omitted.
  public var name: String?
  public var group: String?
  public var kind: String?
  public var uid: String?
  public var causes: [Cause] = []
  public var retryAfterSeconds: Int?
  /// `metadata.continue` of the Status (an expired continue token's fresh replacement).
  public var continueToken: String?
  /// Extra response headers (e.g. `Retry-After`).
  public var headers: [(String, String)] = []

  public init(code: Int, reason: String, message: String) {
    self.code = code
    self.reason = reason
    self.message = message
  }

  public static func == (a: APIError, b: APIError) -> Bool {
    a.code == b.code && a.reason == b.reason && a.message == b.message && a.name == b.name
      && a.kind == b.kind && a.group == b.group && a.causes == b.causes
  }

  // MARK: Constructors (apimachinery pkg/api/errors)

  public static func notFound(_ r: ResourceDefinition, _ name: String) -> APIError {
    about(
      r, name, code: 404, reason: "NotFound",
      message: "\(r.qualifiedResource) \"\(name)\" not found")
  }

  /// A missing namespace (`namespaces "x" not found`).
  public static func namespaceNotFound(_ name: String) -> APIError {
    notFound(BuiltInResources.namespace, name)
  }

  /// An error about one object of `r`: details name it with the group and the resource plural
  /// (the form of NotFound, AlreadyExists, Conflict and Forbidden).
  static func about(
    _ r: ResourceDefinition, _ name: String, code: Int, reason: String, message: String
  ) -> APIError {
    var e = APIError(code: code, reason: reason, message: message)
    e.name = name
    e.group = r.group
    e.kind = r.plural
    return e
  }

  /// An unknown URL.
  public static let pathNotFound = APIError(
    code: 404, reason: "NotFound", message: "the server could not find the requested resource")

  public static func alreadyExists(_ r: ResourceDefinition, _ name: String) -> APIError {
    about(
      r, name, code: 409, reason: "AlreadyExists",
      message: "\(r.qualifiedResource) \"\(name)\" already exists")
  }

  /// kube's optimistic-lock conflict.
  public static func conflict(
    _ r: ResourceDefinition, _ name: String, _ detail: String = optimisticLockMessage
  )
    -> APIError
  {
    about(
      r, name, code: 409, reason: "Conflict",
      message: "Operation cannot be fulfilled on \(r.qualifiedResource) \"\(name)\": \(detail)")
  }

  public static let optimisticLockMessage =
    "the object has been modified; please apply your changes to the latest version and try again"

  /// 422 with field causes; the message lists them as kube's `ToAggregate` does.
  public static func invalid(_ r: ResourceDefinition, _ name: String, _ causes: [Cause]) -> APIError
  {
    let summary: String
    if causes.count == 1 {
      summary = causes[0].fullMessage
    } else {
      summary = "[" + causes.map(\.fullMessage).joined(separator: ", ") + "]"
    }
    var e = APIError(
      code: 422, reason: "Invalid", message: "\(r.qualifiedKind) \"\(name)\" is invalid: \(summary)"
    )
    e.name = name
    e.group = r.group
    e.kind = r.kind
    e.causes = causes
    return e
  }

  /// 422 for an update without resourceVersion where unconditional updates are not allowed
  /// (custom resources, their `/status` too). kube-apiserver's store names the *resource*
  /// where the kind usually goes: `managedclusters.cluster.open-cluster-management.io "c1" is
  /// invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update`.
  public static func resourceVersionRequired(_ r: ResourceDefinition, _ name: String) -> APIError {
    let cause = Cause(
      reason: "FieldValueInvalid", message: "Invalid value: 0: must be specified for an update",
      field: "metadata.resourceVersion")
    var e = about(
      r, name, code: 422, reason: "Invalid",
      message: "\(r.qualifiedResource) \"\(name)\" is invalid: \(cause.fullMessage)")
    e.causes = [cause]
    return e
  }

  public static func badRequest(_ message: String) -> APIError {
    APIError(code: 400, reason: "BadRequest", message: message)
  }

  public static func forbidden(_ r: ResourceDefinition, _ name: String, _ detail: String)
    -> APIError
  {
    about(
      r, name, code: 403, reason: "Forbidden",
      message: "\(r.qualifiedResource) \"\(name)\" is forbidden: \(detail)")
  }

  public static func methodNotSupported(_ r: ResourceDefinition, verb: String) -> APIError {
    var e = APIError(
      code: 405, reason: "MethodNotAllowed",
      message: "\(verb) is not supported on resources of kind \"\(r.qualifiedResource)\"")
    e.group = r.group
    e.kind = r.plural
    return e
  }

  public static let notAcceptable = APIError(
    code: 406, reason: "NotAcceptable",
    message:
      "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf"
  )

  public static func unsupportedMediaType(_ message: String) -> APIError {
    APIError(code: 415, reason: "UnsupportedMediaType", message: message)
  }

  public static func requestEntityTooLarge(limit: Int) -> APIError {
    APIError(
      code: 413, reason: "RequestEntityTooLarge",
      message: "Request entity too large: limit is \(limit)")
  }

  public static func expired(_ message: String) -> APIError {
    APIError(code: 410, reason: "Expired", message: message)
  }

  public static func internalError(_ detail: String) -> APIError {
    var e = APIError(
      code: 500, reason: "InternalError", message: "Internal error occurred: \(detail)")
    e.causes = [Cause(reason: "", message: detail, field: "")]
    return e
  }

  /// 504 for a resourceVersion the store has not reached.
  public static func tooLargeResourceVersion(requested: UInt64, current: UInt64) -> APIError {
    var e = APIError(
      code: 504, reason: "Timeout",
      message: "Timeout: Too large resource version: \(requested), current: \(current)")
    e.causes = [
      Cause(reason: "ResourceVersionTooLarge", message: "Too large resource version", field: "")
    ]
    e.retryAfterSeconds = 1
    return e
  }

  /// 422 on list/watch options (`ListOptions.meta.k8s.io "" is invalid: …`).
  public static func invalidListOptions(_ causes: [Cause]) -> APIError {
    let summary =
      causes.count == 1
      ? causes[0].fullMessage : "[" + causes.map(\.fullMessage).joined(separator: ", ") + "]"
    var e = APIError(
      code: 422, reason: "Invalid", message: "ListOptions.meta.k8s.io \"\" is invalid: \(summary)")
    e.group = "meta.k8s.io"
    e.kind = "ListOptions"
    e.name = ""
    e.causes = causes
    return e
  }

  /// 422 on request options (`CreateOptions.meta.k8s.io "" is invalid: …`), as the REST
  /// handlers report `ValidateCreateOptions`, `ValidateDeleteOptions` and friends.
  public static func invalidOptions(_ kind: String, _ causes: [Cause]) -> APIError {
    let summary =
      causes.count == 1
      ? causes[0].fullMessage : "[" + causes.map(\.fullMessage).joined(separator: ", ") + "]"
    var e = APIError(
      code: 422, reason: "Invalid", message: "\(kind).meta.k8s.io \"\" is invalid: \(summary)")
    e.group = "meta.k8s.io"
    e.kind = kind
    e.name = ""
    e.causes = causes
    return e
  }

  /// A method the URL has no route for (go-restful's 405, through kube's service error handler).
  public static let methodNotAllowed = APIError(
    code: 405, reason: "MethodNotAllowed",
    message: "the server does not allow this method on the requested resource")

  // MARK: Encoding

  /// The Status object.
  public var status: JSONValue {
    var details = JSONObject()
    if let name { details["name"] = .string(name) }
    if let group, !group.isEmpty { details["group"] = .string(group) }
    if let kind { details["kind"] = .string(kind) }
    if let uid { details["uid"] = .string(uid) }
    if !causes.isEmpty {
      details["causes"] = .array(
        causes.map { c in
          var o = JSONObject()
          if !c.reason.isEmpty { o["reason"] = .string(c.reason) }
          if !c.message.isEmpty { o["message"] = .string(c.message) }
          if !c.field.isEmpty { o["field"] = .string(c.field) }
          return .object(o)
        })
    }
    if let retryAfterSeconds { details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
    var metadata = JSONObject()
    if let continueToken { metadata["continue"] = .string(continueToken) }
    var status = JSONObject()
    status["kind"] = "Status"
    status["apiVersion"] = "v1"
    status["metadata"] = .object(metadata)
    status["status"] = "Failure"
    status["message"] = .string(message)
    status["reason"] = .string(reason)
    status["details"] = .object(details)
    status["code"] = .int(Int64(code))
    return .object(status)
  }

  /// The Status as JSON bytes (with Go's trailing newline).
  public var body: [UInt8] {
    var out = status.serialized()
    out.append(10)
    return out
  }
}

extension APIError.Cause {
  /// `field: message` as kube's field errors print.
  var fullMessage: String { field.isEmpty ? message : "\(field): \(message)" }

  public static func invalidValue(_ field: String, _ value: String, _ detail: String) -> Self {
    Self(
      reason: "FieldValueInvalid", message: "Invalid value: \"\(value)\": \(detail)", field: field)
  }

  public static func required(_ field: String, _ detail: String = "Required value") -> Self {
    Self(reason: "FieldValueRequired", message: detail, field: field)
  }

  public static func forbidden(_ field: String, _ detail: String) -> Self {
    Self(reason: "FieldValueForbidden", message: "Forbidden: \(detail)", field: field)
  }

  public static func notSupported(_ field: String, _ value: String, _ allowed: [String]) -> Self {
    let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
    return Self(
      reason: "FieldValueNotSupported",
      message: "Unsupported value: \"\(value)\": supported values: \(list)", field: field)
  }
}
