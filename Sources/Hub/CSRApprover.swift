import APIMachinery
import Certificates
import JSON

/// OCM's hub CSR approving controller (ocm.md §2.2; `ocm:pkg/registration/register/csr/
/// approve_reconciler.go`, `hub_driver.go`), run on every CSR that is neither approved nor
/// denied. Two reconcilers, in order, the first that decides stops the chain:
///
/// 1. renewal: a valid cluster CSR (label `open-cluster-management.io/cluster-name: C`, signer
///    `kubernetes.io/kube-apiserver-client`, Subject O minus `system:open-cluster-management:
///    managed-clusters` exactly `system:open-cluster-management:C`, CN starting with it) whose
///    `spec.username` equals the CN is approved when the requester may `renew`
///    `register.open-cluster-management.io` `managedclusters/clientcertificates`;
/// 2. bootstrap (`ManagedClusterAutoApproval`, `itsd serve --auto-accept`): a valid cluster CSR
///    whose requester is one of `autoApprovalUsers` is approved.
///
/// Approval goes through `/approval` with OCM's reason and message.
public struct CSRApprover: Sendable {
  let registry: Registry
  /// `--cluster-auto-approval-users`; empty: bootstrap CSRs wait for an admin.
  let autoApprovalUsers: Set<String>

  public static let reason = "AutoApprovedByHubCSRApprovingController"
  public static let message =
    "Auto approving Managed cluster agent certificate after SubjectAccessReview."
  /// `user.SubjectPrefix` and `user.ManagedClustersGroup`.
  static let subjectPrefix = "system:open-cluster-management:"
  static let managedClustersGroup = "system:open-cluster-management:managed-clusters"
  /// What `clusteradm init` grants the bootstrap identity: the users `--auto-accept` approves.
  public static let defaultAutoApprovalUsers: Set<String> = [
    "system:serviceaccount:open-cluster-management:agent-registration-bootstrap"
  ]

  public init(registry: Registry, autoApprovalUsers: Set<String> = []) {
    self.registry = registry
    self.autoApprovalUsers = autoApprovalUsers
  }

  /// What `validateCSR` finds in a request: the cluster and the agent's common name.
  struct ClusterRequest: Equatable {
    var cluster: String
    var commonName: String
  }

  public func reconcile(_ name: String) throws -> ReconcileResult {
    guard let csr = try CertificateControllers.current(registry, name) else { return .done }
    guard !Self.isTerminal(csr), let valid = Self.clusterRequest(csr) else { return .done }
    let spec = csr["spec"]
    let username = spec?["username"]?.stringValue ?? ""
    if username == valid.commonName {
      let question = AuthorizationAttributes(
        user: Self.requester(csr), verb: "renew", group: "register.open-cluster-management.io",
        resource: "managedclusters", subresource: "clientcertificates")
      // A renewal the requester may not make is left alone (reconcileStop).
      guard registry.authorizer.authorize(question).isAllowed else { return .done }
      try approve(name)
      return .done
    }
    if autoApprovalUsers.contains(username) { try approve(name) }
    return .done
  }

  /// Approved or denied already (`IsCSRInTerminalState`).
  static func isTerminal(_ csr: JSONValue) -> Bool {
    let types = CertificateSigningRequests.conditionTypes(csr)
    return types.contains(CertificateSigningRequests.approved)
      || types.contains(CertificateSigningRequests.denied)
  }

  /// OCM's `validateCSR`: nil unless the request is a managed cluster agent's.
  static func clusterRequest(_ csr: JSONValue) -> ClusterRequest? {
    guard
      let cluster = csr["metadata"]?["labels"]?[OCM.clusterNameLabel]?.stringValue,
      csr["spec"]?["signerName"]?.stringValue
        == CertificateSigningRequests.kubeAPIServerClientSigner,
      let pem = CertificateSigningRequests.requestPEM(csr),
      let request = try? CertificateRequest(pem: String(decoding: pem, as: UTF8.self))
    else { return nil }
    return clusterRequest(cluster: cluster, subject: request.subject)
  }

  /// The subject rules of `validateCSR` for a request labelled with `cluster`.
  static func clusterRequest(cluster: String, subject: DistinguishedName) -> ClusterRequest? {
    let organizations = Set(subject.organizations).subtracting([managedClustersGroup])
    let expected = subjectPrefix + cluster
    guard organizations == [expected], subject.commonName.hasPrefix(expected) else {
      return nil
    }
    return ClusterRequest(cluster: cluster, commonName: subject.commonName)
  }

  /// The requester recorded in the CSR (what OCM puts in its SubjectAccessReview).
  static func requester(_ csr: JSONValue) -> UserInfo {
    let spec = csr["spec"]
    var extra: [String: [String]] = [:]
    for m in spec?["extra"]?.objectValue?.members ?? [] {
      extra[m.key] = (m.value.arrayValue ?? []).compactMap(\.stringValue)
    }
    return UserInfo(
      name: spec?["username"]?.stringValue ?? "", uid: spec?["uid"]?.stringValue ?? "",
      groups: (spec?["groups"]?.arrayValue ?? []).compactMap(\.stringValue), extra: extra)
  }

  /// Appends OCM's Approved condition through `/approval` (the server fills the times).
  private func approve(_ name: String) throws {
    _ = try registry.patch(
      CertificateSigningRequests.definition, namespace: "", name: name, subresource: .approval,
      options: WriteOptions(fieldManager: OCM.fieldManager)
    ) { current throws(APIError) in
      guard !Self.isTerminal(current), case .object(var object) = current else { return current }
      var status = object["status"]?.objectValue ?? JSONObject()
      var conditions = status["conditions"]?.arrayValue ?? []
      conditions.append([
        "type": .string(CertificateSigningRequests.approved), "status": "True",
        "reason": .string(Self.reason), "message": .string(Self.message),
      ])
      status["conditions"] = .array(conditions)
      object["status"] = .object(status)
      return .object(object)
    }
  }
}
