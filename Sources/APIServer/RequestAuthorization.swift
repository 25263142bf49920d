import APIMachinery
import HTTP1
import HTTPServer

/// The authorization step of every request (kube's `WithAuthorization` filter): the request is
/// turned into attributes the way `RequestInfoFactory` does — GET/HEAD on a name is `get`,
/// on a collection `list` (`watch` with `watch=true`), POST `create`, PUT `update`, PATCH
/// `patch`, DELETE on a name `delete`, on a collection `deletecollection`; paths that are not
/// resource paths are non-resource requests — and asked once of the registry's authorizer. A
/// list or watch is allowed or denied as a whole.
enum RequestAuthorization {
  /// The attributes of a resource request.
  static func attributes(_ head: HTTPRequestHead, _ info: RequestInfo, user: UserInfo)
    -> AuthorizationAttributes
  {
    var namespace = info.namespace ?? ""
    // `/api/v1/namespaces/x` addresses Namespace x, and kube puts it in the namespace too.
    if info.group.isEmpty && info.resource == "namespaces", let name = info.name {
      namespace = name
    }
    let verb = verb(head, hasName: info.name != nil)
    var name = info.name ?? ""
    // A list or watch of one name (`fieldSelector=metadata.name=x`) is about that name, so
    // `resourceNames` rules cover an agent's informer on its own object.
    if verb == "list" || verb == "watch",
      let selected = selectedName(head.queryValue("fieldSelector"))
    {
      name = selected
    }
    return AuthorizationAttributes(
      user: user, verb: verb, group: info.group, resource: info.resource,
      subresource: info.subresource ?? "", namespace: namespace, name: name)
  }

  /// The name a field selector requires exactly (`metadata.name=x` or `==x` among its terms),
  /// when it is a valid path segment (kube's `RequiresExactMatch` check in RequestInfoFactory).
  static func selectedName(_ selector: String?) -> String? {
    guard let selector, !selector.isEmpty else { return nil }
    for term in selector.split(separator: ",") {
      for op in ["==", "="] {
        let prefix = "metadata.name" + op
        guard term.hasPrefix(prefix) else { continue }
        let value = String(term.dropFirst(prefix.count))
        guard !value.hasPrefix("="), NameValidation.pathSegmentProblems(value).isEmpty else {
          return nil
        }
        return value
      }
    }
    return nil
  }

  static func verb(_ head: HTTPRequestHead, hasName: Bool) -> String {
    switch head.method {
    case "GET", "HEAD":
      guard !hasName else { return "get" }
      return Query.isWatch(head) ? "watch" : "list"
    case "POST": return "create"
    case "PUT": return "update"
    case "PATCH": return "patch"
    case "DELETE": return hasName ? "delete" : "deletecollection"
    default: return head.method.lowercased()
    }
  }

  /// The attributes of a non-resource request (`/api`, `/healthz`, `/openapi/v3`…).
  static func nonResourceAttributes(_ head: HTTPRequestHead, user: UserInfo)
    -> AuthorizationAttributes
  {
    let verb: String
    switch head.method {
    case "GET", "HEAD": verb = "get"
    case "POST": verb = "post"
    case "PUT": verb = "put"
    case "PATCH": verb = "patch"
    case "DELETE": verb = "delete"
    default: verb = head.method.lowercased()
    }
    return AuthorizationAttributes(user: user, verb: verb, path: head.path)
  }

  /// nil when allowed; the 403 otherwise.
  static func check(_ attributes: AuthorizationAttributes, _ authorizer: AuthorizerSlot)
    -> HTTPResponse?
  {
    switch authorizer.authorize(attributes) {
    case .allow: return nil
    case .deny(let reason): return Responses.error(forbidden(attributes, reason: reason))
    case .noOpinion: return Responses.error(forbidden(attributes, reason: ""))
    }
  }

  /// kube's `forbiddenMessage` wrapped in `NewForbidden` (`responsewriters.Forbidden`):
  /// `configmaps "x" is forbidden: User "u" cannot get resource "configmaps" in API group ""
  /// in the namespace "ns"`, details {name, group, kind = resource}; non-resource requests:
  /// `forbidden: User "u" cannot get path "/api"` with empty details.
  static func forbidden(_ a: AuthorizationAttributes, reason: String) -> APIError {
    var message: String
    if !a.isResourceRequest {
      message = "User \"\(a.user.name)\" cannot \(a.verb) path \"\(a.path)\""
    } else {
      let resource = a.subresource.isEmpty ? a.resource : "\(a.resource)/\(a.subresource)"
      message =
        "User \"\(a.user.name)\" cannot \(a.verb) resource \"\(resource)\" in API group \"\(a.group)\""
      message +=
        a.namespace.isEmpty ? " at the cluster scope" : " in the namespace \"\(a.namespace)\""
    }
    if !reason.isEmpty { message += ": \(reason)" }
    guard a.isResourceRequest else {
      return APIError(code: 403, reason: "Forbidden", message: "forbidden: \(message)")
    }
    let qualified = a.group.isEmpty ? a.resource : "\(a.resource).\(a.group)"
    let subject = a.name.isEmpty ? qualified : "\(qualified) \"\(a.name)\""
    var e = APIError(code: 403, reason: "Forbidden", message: "\(subject) is forbidden: \(message)")
    if !a.name.isEmpty { e.name = a.name }
    e.group = a.group
    e.kind = a.resource
    return e
  }
}
