import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// `authorization.k8s.io/v1` self-subject reviews, so `kubectl auth can-i` works. Until
/// authorization exists every request is allowed, and the reviews say so.
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

  /// POST `/apis/authorization.k8s.io/v1/<review>`; nil when the path is not a review.
  static func handle(_ request: HTTPRequest) -> HTTPResponse? {
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
    var review = JSONObject()
    review["kind"] = isAccess ? "SelfSubjectAccessReview" : "SelfSubjectRulesReview"
    review["apiVersion"] = "authorization.k8s.io/v1"
    review["metadata"] = ["creationTimestamp": .null]
    review["spec"] = body["spec"] ?? [:]
    if isAccess {
      review["status"] = [
        "allowed": true, "reason": "its-server allows every request (no authorization configured)",
      ]
    } else {
      review["status"] = [
        "resourceRules": [["verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]]],
        "nonResourceRules": [["verbs": ["*"], "nonResourceURLs": ["*"]]],
        "incomplete": false,
      ]
    }
    return HTTPResponse(
      status: 201, contentType: "application/json", body: JSONValue.object(review).serialized())
  }
}
