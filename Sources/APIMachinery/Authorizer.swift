import Synchronization

/// One authorization question (kube's `authorizer.Attributes`): may `user` do `verb` on the
/// resource (or non-resource path) named here.
public struct AuthorizationAttributes: Sendable, Hashable {
  public var user: UserInfo
  /// kube's verbs: get, list, watch, create, update, patch, delete, deletecollection, or a
  /// custom one (`approve`, `renew`, `execute-as`, …).
  public var verb: String
  public var group: String
  public var resource: String
  public var subresource: String
  public var namespace: String
  public var name: String
  /// Set for non-resource requests (`/healthz`, `/version`, discovery); empty otherwise.
  public var path: String

  public init(
    user: UserInfo, verb: String, group: String = "", resource: String = "",
    subresource: String = "", namespace: String = "", name: String = "", path: String = ""
  ) {
    self.user = user
    self.verb = verb
    self.group = group
    self.resource = resource
    self.subresource = subresource
    self.namespace = namespace
    self.name = name
    self.path = path
  }

  public var isResourceRequest: Bool { path.isEmpty }
}

/// The answer to an authorization question, with the reason kube puts in its messages.
public enum AuthorizationDecision: Sendable, Equatable {
  case allow
  case deny(reason: String)
  /// No rule says either way (callers treat it as deny).
  case noOpinion

  public var isAllowed: Bool { self == .allow }
}

/// What a user may do in one namespace (a SelfSubjectRulesReview's status): the resource rules
/// and non-resource rules that apply, and whether the list may be incomplete.
public struct SubjectRules: Sendable, Equatable {
  public var resourceRules: [PolicyRule]
  public var nonResourceRules: [PolicyRule]
  public var incomplete: Bool
  /// Why the list is incomplete (kube's `evaluationError`), empty when it is not.
  public var evaluationError: String

  public init(
    resourceRules: [PolicyRule] = [], nonResourceRules: [PolicyRule] = [],
    incomplete: Bool = false, evaluationError: String = ""
  ) {
    self.resourceRules = resourceRules
    self.nonResourceRules = nonResourceRules
    self.incomplete = incomplete
    self.evaluationError = evaluationError
  }

  /// Everything allowed (what allow-all and `system:masters` amount to).
  public static let everything = SubjectRules(
    resourceRules: [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"])],
    nonResourceRules: [PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])])
}

/// Decides authorization questions (RBAC, or allow-all while authorization is off).
public protocol Authorizer: Sendable {
  func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision
  /// The rules that apply to `user` in `namespace` (SelfSubjectRulesReview).
  func rules(for user: UserInfo, namespace: String) -> SubjectRules
}

extension Authorizer {
  /// Authorizers that cannot list rules say so (kube's `incomplete`).
  public func rules(for user: UserInfo, namespace: String) -> SubjectRules {
    SubjectRules(incomplete: true, evaluationError: "rules cannot be listed by this authorizer")
  }
}

/// The authorizer used while authorization is off: everything is allowed.
public struct AllowAllAuthorizer: Authorizer {
  public init() {}
  public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision { .allow }
  public func rules(for user: UserInfo, namespace: String) -> SubjectRules { .everything }
}

/// The server's current authorizer, replaceable at start-up (RBAC is installed once its
/// informers run). Admission plug-ins ask it the SubjectAccessReview questions OCM's webhooks ask.
public final class AuthorizerSlot: Sendable {
  private let current = Mutex<any Authorizer>(AllowAllAuthorizer())

  public init() {}

  public func install(_ authorizer: any Authorizer) { current.withLock { $0 = authorizer } }

  public func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
    let authorizer = current.withLock { $0 }
    return authorizer.authorize(attributes)
  }

  public func rules(for user: UserInfo, namespace: String) -> SubjectRules {
    let authorizer = current.withLock { $0 }
    return authorizer.rules(for: user, namespace: namespace)
  }
}
