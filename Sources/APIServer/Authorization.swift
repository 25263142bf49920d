import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// `authorization.k8s.io/v1` self-subject reviews, answered by the server's authorizer for the
/// requester, so `kubectl auth can-i` (and `--list`) tells the truth.
enum Authorization {
  static let resourceList: JSONValue = [
    "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "authorization.k8s.io/v1",
    "resources": [
      [
        "name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
        "namespaced": false, "kind": "SelfSubjectAccessReview", "verbs": ["create"],
      ],
      [
        "name": "selfsubjectrulesreviews", "singularName": "selfsubjectrulesreview",
        "namespaced": false, "kind": "SelfSubjectRulesReview", "verbs": ["create"],
      ],
    ],
  ]

  static let aggregatedResources: [JSONValue] = [
    [
      "resource": "selfsubjectaccessreviews",
      "responseKind": [
        "group": "authorization.k8s.io", "version": "v1", "kind": "SelfSubjectAccessReview",
      ], "scope": "Cluster", "singularResource": "selfsubjectaccessreview", "verbs": ["create"],
    ],
    [
      "resource": "selfsubjectrulesreviews",
      "responseKind": [
        "group": "authorization.k8s.io", "version": "v1", "kind": "SelfSubjectRulesReview",
      ], "scope": "Cluster", "singularResource": "selfsubjectrulesreview", "verbs": ["create"],
    ],
  ]

  /// POST `/apis/authorization.k8s.io/v1/<review>`; nil when the path is not a review. The
  /// answers come from `authorizer` for `user` (the requester), so they are what the server
  /// would decide.
  static func handle(_ request: HTTPRequest, user: UserInfo, authorizer: AuthorizerSlot)
    -> HTTPResponse?
  {
    let path = request.head.path
    let isAccess = path == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
    let isRules = path == "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
    guard isAccess || isRules else { return nil }
    guard request.head.method == "POST" else {
      return Responses.error(.methodNotAllowed)  // only POST is routed
    }
    let body: JSONValue
    do {
      body = try Negotiation.decodeBody(request)
    } catch {
      return Responses.error(error)
    }
    let spec = body["spec"] ?? [:]
    var review = JSONObject()
    review["kind"] = isAccess ? "SelfSubjectAccessReview" : "SelfSubjectRulesReview"
    review["apiVersion"] = "authorization.k8s.io/v1"
    review["metadata"] = ["creationTimestamp": .null]
    review["spec"] = spec
    if isAccess {
      switch accessStatus(spec, user: user, authorizer: authorizer) {
      case .success(let status): review["status"] = status
      case .failure(let error): return Responses.error(error)
      }
    } else {
      review["status"] = rulesStatus(
        authorizer.rules(for: user, namespace: spec["namespace"]?.stringValue ?? ""))
    }
    return HTTPResponse(
      status: 201, contentType: "application/json", body: JSONValue.object(review).serialized())
  }

  /// `status` of a SelfSubjectAccessReview: `allowed`, and kube's `reason` when there is one.
  static func accessStatus(_ spec: JSONValue, user: UserInfo, authorizer: AuthorizerSlot)
    -> Result<JSONValue, APIError>
  {
    let resource = spec["resourceAttributes"].flatMap { $0.isNull ? nil : $0 }
    let nonResource = spec["nonResourceAttributes"].flatMap { $0.isNull ? nil : $0 }
    guard (resource == nil) != (nonResource == nil) else {
      let cause = APIError.Cause(
        reason: "FieldValueInvalid",
        message:
          "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be specified",
        field: "spec.resourceAttributes")
      var e = APIError(
        code: 422, reason: "Invalid",
        message:
          "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: \(cause.field): \(cause.message)"
      )
      e.group = "authorization.k8s.io"
      e.kind = "SelfSubjectAccessReview"
      e.causes = [cause]
      return .failure(e)
    }
    func text(_ v: JSONValue?, _ key: String) -> String { v?[key]?.stringValue ?? "" }
    let attributes: AuthorizationAttributes
    if let r = resource {
      attributes = AuthorizationAttributes(
        user: user, verb: text(r, "verb"), group: text(r, "group"), resource: text(r, "resource"),
        subresource: text(r, "subresource"), namespace: text(r, "namespace"),
        name: text(r, "name"))
    } else {
      attributes = AuthorizationAttributes(
        user: user, verb: text(nonResource, "verb"), path: text(nonResource, "path"))
    }
    var status = JSONObject()
    switch authorizer.authorize(attributes) {
    case .allow:
      status["allowed"] = true
    case .deny(let reason):
      status["allowed"] = false
      status["reason"] = .string(reason)
    case .noOpinion:
      status["allowed"] = false
    }
    return .success(.object(status))
  }

  /// `status` of a SelfSubjectRulesReview.
  static func rulesStatus(_ rules: SubjectRules) -> JSONValue {
    var status = JSONObject()
    status["resourceRules"] = .array(rules.resourceRules.map(\.json))
    status["nonResourceRules"] = .array(rules.nonResourceRules.map(\.json))
    status["incomplete"] = .bool(rules.incomplete)
    if !rules.evaluationError.isEmpty {
      status["evaluationError"] = .string(rules.evaluationError)
    }
    return .object(status)
  }
}
