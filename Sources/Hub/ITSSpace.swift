import APIMachinery
import Dispatch
import JSON

/// What makes the API server an ITS at start (issue 5 item 1, ocm.md §4.3, §4.5–§4.7): the
/// webhook-equivalent admission plug-ins, the hub's namespaces, its CRDs stored as
/// `CustomResourceDefinition` objects (so `kubectl get crd` lists them and they are
/// `Established` at once), the `default` and `global` ManagedClusterSets (kept by
/// `ClusterSetController`), and — once the listener is bound — `kube-public/cluster-info`.
/// Starting again on existing data changes nothing (an object already there is left alone).
public final class ITSSpace: Sendable {
  /// Namespaces an OCM hub with KubeStellar has besides kube-apiserver's own: the cluster
  /// manager's two and KubeStellar's `customization-properties` (ocm.md §4.3).
  public static let namespaces = [
    "open-cluster-management", "open-cluster-management-hub", "customization-properties",
  ]
  /// The manager recorded for what the space creates.
  static let writeOptions = WriteOptions(fieldManager: "itsd")

  private let registry: Registry
  private let clusterSets: ClusterSetController

  public init(registry: Registry, clusterSetResync: DispatchTimeInterval = .seconds(10)) {
    self.registry = registry
    clusterSets = ClusterSetController(registry: registry, resyncInterval: clusterSetResync)
  }

  /// Installs the admission plug-ins, creates what is missing, starts the clusterset
  /// controller.
  public func start() throws(APIError) {
    Self.installAdmission(registry)
    try Self.seed(registry)
    clusterSets.start()
  }

  public func stop() { clusterSets.stop() }

  /// The webhook equivalents of OCM's registration and work webhooks.
  public static func installAdmission(_ registry: Registry) {
    let clusters = OCMResources.managedCluster.resourceKey
    registry.admission.register(ManagedClusterMutation(), for: clusters)
    registry.admission.register(
      ManagedClusterValidation(store: registry.store, authorizer: registry.authorizer),
      for: clusters)
    registry.admission.register(
      ManifestWorkValidation(authorizer: registry.authorizer),
      for: OCMResources.manifestWork.resourceKey)
  }

  /// Namespaces and CRDs (409 — already there — is fine).
  public static func seed(_ registry: Registry) throws(APIError) {
    for name in namespaces {
      let body: JSONValue = [
        "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)],
      ]
      try createIfMissing(registry, BuiltInResources.namespace, body)
    }
    for kind in HubCRDs.all {
      try createIfMissing(
        registry, BuiltInResources.customResourceDefinition, kind.definitionObject)
    }
  }

  static func createIfMissing(_ registry: Registry, _ r: ResourceDefinition, _ body: JSONValue)
    throws(APIError)
  {
    do {
      _ = try registry.create(r, namespace: "", body: body, options: writeOptions)
    } catch  where error.code == 409 {
      return
    }
  }

  // MARK: kube-public/cluster-info

  /// Writes `kube-public/cluster-info` (`data.kubeconfig`: a kubeconfig whose one cluster is
  /// this server, as kubeadm and `clusteradm init` publish it; `clusteradm join` reads the CA
  /// and the server from it, ocm.md §2.1). Call once the listener is bound and its URL known;
  /// `certificateAuthority` is the PEM of the CA that signed the serving certificate, if any.
  public func publishClusterInfo(server: String, certificateAuthority: [UInt8]? = nil)
    throws(APIError)
  {
    let kubeconfig = Self.clusterInfoKubeconfig(
      server: server, certificateAuthority: certificateAuthority)
    let cm = BuiltInResources.configMap
    let body: JSONValue = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "cluster-info", "namespace": "kube-public"],
      "data": ["kubeconfig": .string(kubeconfig)],
    ]
    do {
      _ = try registry.create(cm, namespace: "kube-public", body: body, options: Self.writeOptions)
    } catch  where error.code == 409 {
      _ = try registry.patch(
        cm, namespace: "kube-public", name: "cluster-info", options: Self.writeOptions
      ) {
        current throws(APIError) in
        guard case .object(var object) = current else { return current }
        var data = object["data"]?.objectValue ?? JSONObject()
        data["kubeconfig"] = .string(kubeconfig)
        object["data"] = .object(data)
        return .object(object)
      }
    }
  }

  /// The kubeconfig text (clientcmd's YAML for a Config holding one unnamed cluster).
  static func clusterInfoKubeconfig(server: String, certificateAuthority: [UInt8]?) -> String {
    var lines = ["apiVersion: v1", "clusters:", "- cluster:"]
    if let ca = certificateAuthority, !ca.isEmpty {
      lines.append("    certificate-authority-data: \(KubeconfigBase64.encode(ca))")
    }
    lines += [
      "    server: \(server)", "  name: \"\"", "contexts: null", "current-context: \"\"",
      "kind: Config", "preferences: {}", "users: null",
    ]
    return lines.joined(separator: "\n") + "\n"
  }
}

/// Standard base64 (RFC 4648, padded), as kubeconfig `*-data` fields carry bytes.
enum KubeconfigBase64 {
  static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
      let b0 = UInt32(bytes[i])
      let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
      let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
      let n = b0 << 16 | b1 << 8 | b2
      out.append(alphabet[Int(n >> 18 & 63)])
      out.append(alphabet[Int(n >> 12 & 63)])
      out.append(i + 1 < bytes.count ? alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.count ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }
}
