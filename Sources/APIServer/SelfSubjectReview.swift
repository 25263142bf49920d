import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// `POST /apis/authentication.k8s.io/v1/selfsubjectreviews`: who the server thinks the requester
/// is (`kubectl auth whoami`), answered 201 with `status.userInfo`.
enum SelfSubjectReview {
  static let path = "/apis/authentication.k8s.io/v1/selfsubjectreviews"

  /// nil when the request is not a self-subject review.
  static func handle(_ request: HTTPRequest, user: UserInfo) -> HTTPResponse? {
    guard request.head.path == path else { return nil }
    guard request.head.method == "POST" else { return Responses.error(.methodNotAllowed) }
    var info = JSONObject()
    info["username"] = .string(user.name)
    if !user.uid.isEmpty { info["uid"] = .string(user.uid) }
    if !user.groups.isEmpty { info["groups"] = .array(user.groups.map { .string($0) }) }
    if !user.extra.isEmpty {
      var extra = JSONObject()
      for (key, values) in user.extra.sorted(by: { $0.key < $1.key }) {
        extra[key] = .array(values.map { .string($0) })
      }
      info["extra"] = .object(extra)
    }
    let review: JSONValue = [
      "kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
      "metadata": ["creationTimestamp": .string(ServerClock.timestamp())],
      "status": ["userInfo": .object(info)],
    ]
    return HTTPResponse(status: 201, contentType: "application/json", body: review.serialized())
  }
}
