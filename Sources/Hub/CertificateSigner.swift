import APIMachinery
import Certificates
import JSON
import Synchronization

/// The `kubernetes.io/kube-apiserver-client` (and `-kubelet`) signer of kube-controller-manager
/// (`pkg/controller/certificates/signer`), signing with the itsd CA: an approved request that
/// is neither denied nor failed and has no certificate yet gets one, its Subject (CN and every
/// O) kept verbatim, valid for `expirationSeconds` (clamped to [10 min, 1 year]) or one year,
/// written to `status.certificate` through `/status`. A request its signer rejects (usages,
/// kubelet subject rules) gets a `Failed` condition (`SignerValidationFailure`) instead.
public struct CertificateSigner: Sendable {
  let registry: Registry
  private let authority: CertificateAuthorityProvider

  /// kcm's `--cluster-signing-duration` default (8760h).
  static let defaultLifetime: Int64 = 365 * 24 * 3600
  /// Below this a requested duration is raised to it (twice the backdate).
  static let minimumLifetime: Int64 = 10 * 60
  /// Certificates shorter than this are not backdated at the end (kcm's `Short`).
  static let shortLifetime: Int64 = 8 * 3600

  static let writeOptions = WriteOptions(fieldManager: "kube-controller-manager")

  public init(registry: Registry, authority: CertificateAuthorityProvider) {
    self.registry = registry
    self.authority = authority
  }

  /// Signs CSR `name` if it is ready for this signer.
  public func reconcile(_ name: String) throws -> ReconcileResult {
    let r = CertificateSigningRequests.definition
    guard let csr = try CertificateControllers.current(registry, name) else { return .done }
    guard Self.isReadyToSign(csr) else { return .done }
    let signerName = csr["spec"]?["signerName"]?.stringValue ?? ""
    guard let pem = CertificateSigningRequests.requestPEM(csr) else { return .done }
    let request = try CertificateRequest(pem: String(decoding: pem, as: UTF8.self))
    let usages = (csr["spec"]?["usages"]?.arrayValue ?? []).compactMap(\.stringValue)
    if let problem = Self.signerProblem(
      signerName: signerName, usages: usages, subject: request.subject)
    {
      try fail(name, message: problem)
      return .done
    }
    let ca = try authority.authority()
    let lifetime = Self.lifetime(
      requested: csr["spec"]?["expirationSeconds"]?.int64Value,
      caNotAfter: ca.certificate.notAfter, now: ServerClock.nowSeconds())
    let certificate = try ca.sign(
      certificateRequestPEM: String(decoding: pem, as: UTF8.self), lifetimeSeconds: lifetime)
    let encoded = Base64Text.encode(Array(certificate.utf8))
    _ = try registry.patch(
      r, namespace: "", name: name, subresource: .status, options: Self.writeOptions
    ) { current throws(APIError) in
      guard Self.isReadyToSign(current), case .object(var object) = current else {
        return current  // someone else signed or failed it meanwhile: nothing changes
      }
      var status = object["status"]?.objectValue ?? JSONObject()
      status["certificate"] = .string(encoded)
      object["status"] = .object(status)
      return .object(object)
    }
    return .done
  }

  /// Approved, not denied, not failed, no certificate, and for a signer of ours.
  static func isReadyToSign(_ csr: JSONValue) -> Bool {
    let types = CertificateSigningRequests.conditionTypes(csr)
    let signerName = csr["spec"]?["signerName"]?.stringValue ?? ""
    return types.contains(CertificateSigningRequests.approved)
      && !types.contains(CertificateSigningRequests.denied)
      && !types.contains(CertificateSigningRequests.failed)
      && (csr["status"]?["certificate"]?.stringValue ?? "").isEmpty
      && (signerName == CertificateSigningRequests.kubeAPIServerClientSigner
        || signerName == CertificateSigningRequests.kubeletClientSigner)
  }

  /// Why the signer refuses the request (kcm's `isKubeAPIServerClient` / `isKubeletClient`
  /// checks), or nil.
  static func signerProblem(signerName: String, usages: [String], subject: DistinguishedName)
    -> String?
  {
    if signerName == CertificateSigningRequests.kubeletClientSigner {
      // `ValidateKubeletClientCSR` (the SAN checks need the extensions, not read here).
      if subject.organizations != ["system:nodes"] {
        return "subject organization is not system:nodes"
      }
      if !subject.commonName.hasPrefix("system:node:") {
        return "subject common name does not begin with system:node:"
      }
    }
    var hasClientAuth = false
    for usage in usages {
      switch usage {
      case "digital signature", "key encipherment": continue
      case "client auth": hasClientAuth = true
      default: return "invalid usage for client certificate: \(usage)"
      }
    }
    return hasClientAuth ? nil : "missing required usage for client certificate: client auth"
  }

  /// kcm's `duration` and `PermissiveSigningPolicy`: the requested duration within
  /// [10 min, 1 year]; long-lived certificates end a backdate earlier; never past the CA.
  static func lifetime(requested: Int64?, caNotAfter: Int64, now: Int64) -> Int64 {
    var ttl = defaultLifetime
    if let requested { ttl = min(max(requested, minimumLifetime), defaultLifetime) }
    if ttl >= shortLifetime { ttl -= CertificateAuthority.backdateSeconds }
    return max(1, min(ttl, caNotAfter - now))
  }

  /// Appends kcm's `Failed` condition.
  private func fail(_ name: String, message: String) throws {
    let now = ServerClock.timestamp()
    _ = try registry.patch(
      CertificateSigningRequests.definition, namespace: "", name: name, subresource: .status,
      options: Self.writeOptions
    ) { current throws(APIError) in
      guard Self.isReadyToSign(current), case .object(var object) = current else { return current }
      var status = object["status"]?.objectValue ?? JSONObject()
      var conditions = status["conditions"]?.arrayValue ?? []
      conditions.append([
        "type": .string(CertificateSigningRequests.failed), "status": "True",
        "reason": "SignerValidationFailure", "message": .string(message),
        "lastUpdateTime": .string(now),
      ])
      status["conditions"] = .array(conditions)
      object["status"] = .object(status)
      return .object(object)
    }
  }
}

/// The itsd CA, loaded (or created) on first use and kept: signing waits for the first
/// approved request, so a server that never signs never touches the key files.
public final class CertificateAuthorityProvider: Sendable {
  private let load: @Sendable () throws -> CertificateAuthority
  private let cached = Mutex<CertificateAuthority?>(nil)

  public init(_ load: @escaping @Sendable () throws -> CertificateAuthority) {
    self.load = load
  }

  /// An already-loaded CA.
  public convenience init(_ authority: CertificateAuthority) {
    self.init { authority }
  }

  /// The CA; loading happens once (under the lock, so two callers never both create it).
  public func authority() throws -> CertificateAuthority {
    try cached.withLock { cached in
      if let ca = cached { return ca }
      let ca = try load()
      cached = ca
      return ca
    }
  }
}
