import APIMachinery
import JSON

/// OCM's ManifestWork validating webhook (`manifestworkvalidators…`, ocm
/// `pkg/work/webhook/v1/manifestwork_validating.go` and `common/validator.go`), on CREATE and
/// UPDATE of the main resource (not `/status`). All denials are 400:
/// - `manifests should not be empty`;
/// - the manifests' total `Size()` above 512000 bytes (`--manifestLimit`, 500 KiB):
///   `the size of manifests is N bytes which exceeds the 512000 limit`, where one manifest's
///   size is its protobuf `RawExtension` size, 1 + len(JSON) + varint length of len(JSON);
/// - a manifest without `metadata.name` (`name must be set in manifest`) or with
///   `metadata.generateName` (`generateName must not be set in manifest`);
/// - with `spec.executor` set and changed, the requester needs `execute-as` on
///   `work.open-cluster-management.io` `manifestworks` named
///   `system:serviceaccount:<ns>:<name>` in the work's namespace.
public struct ManifestWorkValidation: AdmissionPlugin {
  /// `--manifestLimit` of the work webhook.
  public static let defaultLimit = 500 * 1024

  let authorizer: AuthorizerSlot
  let limit: Int

  public init(authorizer: AuthorizerSlot, limit: Int = ManifestWorkValidation.defaultLimit) {
    self.authorizer = authorizer
    self.limit = limit
  }

  public func validate(_ object: JSONObject, old: JSONObject?, _ a: AdmissionAttributes)
    throws(APIError)
  {
    guard a.subresource == .main else { return }
    let webhook = WebhookDenial.manifestWorkValidator
    let manifests = object["spec"]?["workload"]?["manifests"]?.arrayValue ?? []
    if manifests.isEmpty {
      throw WebhookDenial.badRequest(webhook, "manifests should not be empty")
    }
    var total = 0
    for manifest in manifests { total += Self.size(manifest) }
    if total > limit {
      throw WebhookDenial.badRequest(
        webhook, "the size of manifests is \(total) bytes which exceeds the \(limit) limit")
    }
    for manifest in manifests {
      if let problem = Self.problem(manifest) { throw WebhookDenial.badRequest(webhook, problem) }
    }

    let executor = object["spec"]?["executor"]
    if let old, old["spec"]?["executor"] == executor { return }
    guard let executor, !executor.isNull else { return }
    let subject = executor["subject"]
    let account = subject?["serviceAccount"]
    if subject?["type"]?.stringValue == "ServiceAccount", account == nil || account?.isNull == true
    {
      throw WebhookDenial.badRequest(webhook, "executor service account can not be nil")
    }
    guard let user = a.user else { return }
    let saNamespace = account?["namespace"]?.stringValue ?? ""
    let saName = account?["name"]?.stringValue ?? ""
    let decision = authorizer.authorize(
      AuthorizationAttributes(
        user: user, verb: "execute-as", group: "work.open-cluster-management.io",
        resource: "manifestworks", namespace: a.namespace,
        name: "system:serviceaccount:\(saNamespace):\(saName)"))
    if !decision.isAllowed {
      throw WebhookDenial.badRequest(
        webhook,
        "user \(user.name) cannot manipulate the Manifestwork with executor \(saNamespace)/\(saName) in namespace \(a.namespace)"
      )
    }
  }

  /// `Manifest.Size()`: the protobuf size of the embedded `RawExtension` (field tag, length
  /// varint, the JSON bytes as Go encodes them).
  static func size(_ manifest: JSONValue) -> Int {
    let n = manifest.serialized().count
    var varint = 1
    var rest = n >> 7
    while rest > 0 {
      varint += 1
      rest >>= 7
    }
    return 1 + n + varint
  }

  /// What `validateManifest` says about one manifest, or nil.
  static func problem(_ manifest: JSONValue) -> String? {
    guard case .object(let o) = manifest else {
      return
        "json: cannot unmarshal \(manifest.goTypeName) into Go value of type map[string]interface {}"
    }
    if (o["kind"]?.stringValue ?? "").isEmpty {
      return "Object 'Kind' is missing in '\(manifest.jsonString)'"
    }
    if (o["metadata"]?["name"]?.stringValue ?? "").isEmpty { return "name must be set in manifest" }
    if !(o["metadata"]?["generateName"]?.stringValue ?? "").isEmpty {
      return "generateName must not be set in manifest"
    }
    return nil
  }
}

extension JSONValue {
  /// The JSON type as Go's decoder names it in errors.
  fileprivate var goTypeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "bool"
    case .int, .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }
}
