import JSON

/// `certificates.k8s.io/v1` CertificateSigningRequest: how it is served (cluster-scoped, short
/// name `csr`, `/status` and `/approval` subresources) and the names kube gives its signers,
/// condition types and usages. The write rules live in `CertificateSigningRequestRules`.
public enum CertificateSigningRequests {
  public static let definition: ResourceDefinition = {
    var d = ResourceDefinition(
      group: "certificates.k8s.io", version: "v1", kind: "CertificateSigningRequest",
      plural: "certificatesigningrequests", singular: "certificatesigningrequest",
      namespaced: false, shortNames: ["csr"], hasStatusSubresource: true,
      schema: CertificateSigningRequestSchema.kind, extraSelectableFields: ["spec.signerName"])
    d.hasApprovalSubresource = true
    return d
  }()

  /// The signer kube-controller-manager runs for client certificates of the API server.
  public static let kubeAPIServerClientSigner = "kubernetes.io/kube-apiserver-client"
  /// The signer for kubelet client certificates (O `system:nodes`, CN `system:node:<name>`).
  public static let kubeletClientSigner = "kubernetes.io/kube-apiserver-client-kubelet"
  /// The v1beta1-only signer name, refused by the v1 API.
  public static let legacyUnknownSigner = "kubernetes.io/legacy-unknown"

  /// Condition types (`RequestConditionType`).
  public static let approved = "Approved"
  public static let denied = "Denied"
  public static let failed = "Failed"

  /// Every `spec.usages` value kube accepts (`allValidUsages`), sorted as its error lists them.
  public static let validUsages: [String] = [
    "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign",
    "data encipherment", "decipher only", "digital signature", "email protection",
    "encipher only", "ipsec end system", "ipsec tunnel", "ipsec user", "key agreement",
    "key encipherment", "microsoft sgc", "netscape sgc", "ocsp signing", "s/mime",
    "server auth", "signing", "timestamping",
  ]

  /// Who a request without a `UserInfo` is (the server's own controllers, or every request
  /// while authentication is off): kube-apiserver's unauthenticated superuser of the insecure
  /// port (`system:unsecured`, in `system:masters`), so the requester is a privileged identity
  /// that no bootstrap filter mistakes for an agent.
  public static let unauthenticatedRequester = UserInfo(
    name: "system:unsecured", groups: ["system:masters", "system:authenticated"])

  // MARK: Reading a CSR

  /// The `type`s of `status.conditions` in order.
  public static func conditionTypes(_ csr: JSONValue) -> [String] {
    (csr["status"]?["conditions"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }
  }

  /// Whether the CSR carries a condition of `type` (kube: any status counts for Approved and
  /// Denied, which may only be True).
  public static func hasCondition(_ csr: JSONValue, _ type: String) -> Bool {
    conditionTypes(csr).contains(type)
  }

  /// kubectl's CONDITION column: `Denied`, `Approved` or `Pending`, then `,Failed` and `,Issued`.
  public static func conditionSummary(_ csr: JSONValue) -> String {
    let types = Set(conditionTypes(csr))
    var text =
      types.contains(denied) ? "Denied" : types.contains(approved) ? "Approved" : "Pending"
    if types.contains(failed) { text += ",Failed" }
    if !(csr["status"]?["certificate"]?.stringValue ?? "").isEmpty { text += ",Issued" }
    return text
  }

  /// The PEM text of `spec.request` (base64 in JSON), or nil when absent or not base64.
  public static func requestPEM(_ csr: JSONValue) -> [UInt8]? {
    guard let text = csr["spec"]?["request"]?.stringValue else { return nil }
    return try? Base64.decodeStrict(text)
  }
}
