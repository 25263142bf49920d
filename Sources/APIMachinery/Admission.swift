import JSON
import Store
import Synchronization

/// Which write an admission plug-in is looking at.
public enum AdmissionOperation: String, Sendable {
  case create = "CREATE"
  case update = "UPDATE"
}

/// What an admission plug-in knows about a write (kube's `admission.Attributes`).
public struct AdmissionAttributes: Sendable {
  public let resource: ResourceDefinition
  public let subresource: Subresource
  public let operation: AdmissionOperation
  public let namespace: String
  public let name: String
  /// The requester; nil for the server's own controllers.
  public let user: UserInfo?
  public let dryRun: Bool
}

/// A webhook-equivalent run inside the write path: `admit` may change the object (mutating
/// admission, after defaulting), `validate` may reject it (validating admission, after the
/// kind's own validation, before the commit). Both see the stored object for updates.
/// Plug-ins run for every write of the resources they are registered for, the server's own
/// controllers included, and must be cheap and side-effect free (they run inside the store's
/// retry loop, possibly more than once per request).
public protocol AdmissionPlugin: Sendable {
  func admit(_ object: inout JSONObject, old: JSONObject?, _ attributes: AdmissionAttributes)
    throws(APIError)
  func validate(_ object: JSONObject, old: JSONObject?, _ attributes: AdmissionAttributes)
    throws(APIError)
}

extension AdmissionPlugin {
  public func admit(_ object: inout JSONObject, old: JSONObject?, _ attributes: AdmissionAttributes)
    throws(APIError)
  {}
  public func validate(_ object: JSONObject, old: JSONObject?, _ attributes: AdmissionAttributes)
    throws(APIError)
  {}
}

/// The admission plug-ins of one server, by resource. Registered at start-up; a write of a
/// resource without plug-ins costs one lock and one dictionary lookup.
public final class AdmissionChain: Sendable {
  private let plugins = Mutex<[ResourceKey: [any AdmissionPlugin]]>([:])

  public init() {}

  /// Runs `plugin` for every write of `resource` (after the plug-ins registered before it).
  public func register(_ plugin: any AdmissionPlugin, for resource: ResourceKey) {
    plugins.withLock { $0[resource, default: []].append(plugin) }
  }

  /// The plug-ins of `resource`, looked up once per write: its admit and validate steps both
  /// run them (one lock and one hash of the key instead of two).
  func plugins(for resource: ResourceKey) -> AdmissionPlugins {
    AdmissionPlugins(list: plugins.withLock { $0[resource] ?? [] })
  }
}

/// The admission plug-ins of one resource, in registration order, as one write runs them.
struct AdmissionPlugins {
  let list: [any AdmissionPlugin]

  func admit(_ object: inout JSONObject, old: JSONObject?, _ attributes: AdmissionAttributes)
    throws(APIError)
  {
    for plugin in list { try plugin.admit(&object, old: old, attributes) }
  }

  func validate(_ object: JSONObject, old: JSONObject?, _ attributes: AdmissionAttributes)
    throws(APIError)
  {
    for plugin in list { try plugin.validate(object, old: old, attributes) }
  }
}
