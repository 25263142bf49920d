import Certificates
import JSON

/// kube-apiserver's three CertificateSigningRequest admission plug-ins
/// (`plugin/pkg/admission/certificates/{approval,signing,subjectrestriction}`):
///
/// - `/approval` writes need `approve` on `certificates.k8s.io` `signers` named after the
///   request's signer (or its `<domain>/*` wildcard);
/// - `/status` writes that change `status.certificate` need `sign` on the same;
/// - no `kubernetes.io/kube-apiserver-client` request may ask for the `system:masters` group.
///
/// Authorization questions go to the registry's `AuthorizerSlot` (allow-all until RBAC is
/// installed); writes without a requester (the server's own controllers) are trusted.
struct CertificateAdmission: AdmissionPlugin {
  let authorizer: AuthorizerSlot

  static func register(on registry: Registry) {
    registry.admission.register(
      CertificateAdmission(authorizer: registry.authorizer),
      for: CertificateSigningRequests.definition.resourceKey)
  }

  func validate(_ object: JSONObject, old: JSONObject?, _ attributes: AdmissionAttributes)
    throws(APIError)
  {
    let signerName = object["spec"]?["signerName"]?.stringValue ?? ""
    switch (attributes.operation, attributes.subresource) {
    case (.create, _):
      try restrictSubject(object, signerName: signerName, attributes)
    case (.update, .approval):
      try requireSignerPermission("approve", signerName: signerName, attributes)
    case (.update, .status):
      let certificate = object["status"]?["certificate"]?.stringValue ?? ""
      let oldCertificate = old?["status"]?["certificate"]?.stringValue ?? ""
      if certificate != oldCertificate {
        try requireSignerPermission("sign", signerName: signerName, attributes)
      }
    default:
      return
    }
  }

  /// `CertificateSubjectRestriction`.
  private func restrictSubject(
    _ object: JSONObject, signerName: String, _ attributes: AdmissionAttributes
  ) throws(APIError) {
    guard signerName == CertificateSigningRequests.kubeAPIServerClientSigner,
      let pem = CertificateSigningRequests.requestPEM(.object(object)),
      let request = try? CertificateRequest(pem: String(decoding: pem, as: UTF8.self))
    else { return }
    if request.subject.organizations.contains("system:masters") {
      throw APIError.forbidden(
        attributes.resource, attributes.name,
        "use of \(signerName) signer with system:masters group is not allowed")
    }
  }

  /// `IsAuthorizedForSignerName`: the exact signer name first, then `<domain>/*`.
  private func requireSignerPermission(
    _ verb: String, signerName: String, _ attributes: AdmissionAttributes
  ) throws(APIError) {
    guard let user = attributes.user else { return }
    let domain =
      signerName.split(separator: "/", omittingEmptySubsequences: false).first.map(
        String.init) ?? ""
    for name in [signerName, "\(domain)/*"] {
      let question = AuthorizationAttributes(
        user: user, verb: verb, group: "certificates.k8s.io", resource: "signers", name: name)
      if authorizer.authorize(question).isAllowed { return }
    }
    throw APIError.forbidden(
      attributes.resource, attributes.name,
      "user not permitted to \(verb) requests with signerName \"\(signerName)\"")
  }
}
