import APIMachinery

/// A denial as kube-apiserver reports one from an admission webhook (`ToStatusErr` in
/// k8s.io/apiserver `admission/plugin/webhook/errors`): the webhook's own Status (code, reason,
/// details) with the message prefixed `admission webhook "<name>" denied the request: `.
/// OCM's webhooks answer with apimachinery errors: `NewBadRequest` (400 BadRequest) or
/// `NewForbidden` (403 Forbidden, details naming the resource and object).
enum WebhookDenial {
  static let managedClusterMutator =
    "managedclustermutators.admission.cluster.open-cluster-management.io"
  static let managedClusterValidator =
    "managedclustervalidators.admission.cluster.open-cluster-management.io"
  static let manifestWorkValidator =
    "manifestworkvalidators.admission.work.open-cluster-management.io"

  /// The webhook answered `NewBadRequest(message)`.
  static func badRequest(_ webhook: String, _ message: String) -> APIError {
    APIError(
      code: 400, reason: "BadRequest",
      message: "admission webhook \"\(webhook)\" denied the request: \(message)")
  }

  /// The webhook answered `NewForbidden(group.Resource(resource), name, cause)`.
  static func forbidden(
    _ webhook: String, group: String, resource: String, name: String, _ cause: String
  ) -> APIError {
    var e = APIError(
      code: 403, reason: "Forbidden",
      message:
        "admission webhook \"\(webhook)\" denied the request: \(resource).\(group) \"\(name)\" is forbidden: \(cause)"
    )
    e.name = name
    e.group = group
    e.kind = resource
    return e
  }
}
