import APIMachinery
import Certificates
import Foundation
import JSON
import Store
import Synchronization
import Testing

@testable import Hub

/// PEM certificate requests made by `openssl req` with a fresh P-256 key.
private func requestPEM(_ subject: String) -> String {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
    "hub-csr-\(UUID().uuidString)")
  try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: dir) }
  let key = dir.appendingPathComponent("k.pem").path
  let out = dir.appendingPathComponent("r.csr").path
  for arguments in [
    ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
    ["req", "-new", "-key", key, "-subj", subject, "-out", out],
  ] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    try! process.run()
    process.waitUntilExit()
  }
  return try! String(contentsOfFile: out, encoding: .utf8)
}

/// Answers every question with one decision, recording the questions.
private final class RecordingAuthorizer: Authorizer, Sendable {
  let allow: Bool
  let questions = Mutex<[AuthorizationAttributes]>([])
  init(allow: Bool) { self.allow = allow }
  func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
    questions.withLock { $0.append(attributes) }
    return allow ? .allow : .noOpinion
  }
}

@Suite struct CertificateControllersTests {
  static let agent =
    "/O=system:open-cluster-management:wec1/O=system:open-cluster-management:managed-clusters/CN=system:open-cluster-management:wec1:agent1"
  let r = CertificateSigningRequests.definition

  func create(
    _ registry: Registry, name: String, subject: String = agent, user: UserInfo?,
    usages: [String] = ["digital signature", "key encipherment", "client auth"],
    expirationSeconds: Int64? = nil, labelled: Bool = true
  ) throws {
    var spec: JSONObject = [
      "request": .string(Base64Text.encode(Array(requestPEM(subject).utf8))),
      "signerName": "kubernetes.io/kube-apiserver-client",
      "usages": .array(usages.map { .string($0) }),
    ]
    if let expirationSeconds { spec["expirationSeconds"] = .int(expirationSeconds) }
    var meta: JSONObject = ["name": .string(name)]
    if labelled { meta["labels"] = [OCM.clusterNameLabel: "wec1"] }
    var options = WriteOptions()
    options.user = user
    _ = try registry.create(
      r, namespace: "", body: ["metadata": .object(meta), "spec": .object(spec)],
      options: options)
  }

  func approveAsAdmin(_ registry: Registry, _ name: String) throws {
    _ = try registry.patch(r, namespace: "", name: name, subresource: .approval) { current in
      var o = current.objectValue!
      o["status"] = ["conditions": [["type": "Approved", "status": "True", "reason": "Test"]]]
      return .object(o)
    }
  }

  func get(_ registry: Registry, _ name: String) -> JSONValue? {
    try? registry.get(r, namespace: "", name: name).object
  }

  @Test func approvedRequestIsSignedByTheCAKeepingTheSubject() throws {
    let registry = try makeRegistry()
    let ca = try CertificateAuthority.create()
    let controllers = CertificateControllers(
      registry: registry, authority: CertificateAuthorityProvider(ca))
    controllers.start()
    defer { controllers.stop() }
    try create(registry, name: "c1", user: UserInfo(name: "system:bootstrap:x"))
    try create(
      registry, name: "c2", user: UserInfo(name: "system:bootstrap:x"), expirationSeconds: 3600)
    #expect(get(registry, "c1")?["status"]?["certificate"] == nil)  // not approved: not signed
    try approveAsAdmin(registry, "c1")
    try approveAsAdmin(registry, "c2")
    var encoded = ""
    #expect(
      eventually {
        encoded = get(registry, "c1")?["status"]?["certificate"]?.stringValue ?? ""
        return !encoded.isEmpty
      })
    let pem = String(decoding: Base64Text.decode(encoded) ?? [], as: UTF8.self)
    let certificate = try Certificate(pem: pem)
    #expect(certificate.isSigned(by: ca.certificate))
    #expect(certificate.subject.commonName == "system:open-cluster-management:wec1:agent1")
    #expect(
      certificate.subject.organizations == [
        "system:open-cluster-management:wec1", "system:open-cluster-management:managed-clusters",
      ])
    let year: Int64 = 365 * 24 * 3600
    #expect(certificate.notAfter - certificate.notBefore == year)  // 5 min back, ends 5 min early
    var short = ""
    #expect(
      eventually {
        short = get(registry, "c2")?["status"]?["certificate"]?.stringValue ?? ""
        return !short.isEmpty
      })
    let shortCertificate = try Certificate(
      pem: String(decoding: Base64Text.decode(short) ?? [], as: UTF8.self))
    // Short-lived: backdated 5 minutes at the start only.
    #expect(shortCertificate.notAfter - shortCertificate.notBefore == 3600 + 300)
    #expect(CertificateSigningRequests.conditionSummary(get(registry, "c1")!) == "Approved,Issued")
  }

  @Test func requestWithServerUsagesFails() throws {
    let registry = try makeRegistry()
    let controllers = CertificateControllers(
      registry: registry, authority: CertificateAuthorityProvider(try CertificateAuthority.create())
    )
    controllers.start()
    defer { controllers.stop() }
    try create(registry, name: "bad", user: nil, usages: ["server auth", "client auth"])
    try approveAsAdmin(registry, "bad")
    #expect(
      eventually {
        CertificateSigningRequests.hasCondition(get(registry, "bad") ?? .null, "Failed")
      })
    let failed = get(registry, "bad")?["status"]?["conditions"]?[1]
    #expect(failed?["reason"] == "SignerValidationFailure")
    #expect(failed?["message"] == "invalid usage for client certificate: server auth")
    #expect(get(registry, "bad")?["status"]?["certificate"] == nil)
  }

  @Test func renewalIsApprovedAfterTheSubjectAccessReview() throws {
    let registry = try makeRegistry()
    let authorizer = RecordingAuthorizer(allow: true)
    registry.authorizer.install(authorizer)
    let controllers = CertificateControllers(
      registry: registry, authority: CertificateAuthorityProvider(try CertificateAuthority.create())
    )
    controllers.start()
    defer { controllers.stop() }
    let agent = UserInfo(
      name: "system:open-cluster-management:wec1:agent1",
      groups: ["system:open-cluster-management:wec1", "system:authenticated"])
    try create(registry, name: "renew", user: agent)
    try create(registry, name: "initial", user: UserInfo(name: "system:bootstrap:abc"))
    #expect(
      eventually {
        CertificateSigningRequests.hasCondition(get(registry, "renew") ?? .null, "Approved")
      })
    let approved = get(registry, "renew")?["status"]?["conditions"]?[0]
    #expect(approved?["reason"] == "AutoApprovedByHubCSRApprovingController")
    #expect(
      approved?["message"]
        == "Auto approving Managed cluster agent certificate after SubjectAccessReview.")
    let question = authorizer.questions.withLock { $0 }.first
    #expect(question?.user.name == "system:open-cluster-management:wec1:agent1")
    #expect(question?.verb == "renew")
    #expect(question?.group == "register.open-cluster-management.io")
    #expect(question?.resource == "managedclusters")
    #expect(question?.subresource == "clientcertificates")
    // The initial request (username != CN) waits for an admin.
    Thread.sleep(forTimeInterval: 0.2)
    #expect(get(registry, "initial")?["status"]?["conditions"] == nil)
  }

  @Test func renewalDeniedBySubjectAccessReviewWaits() throws {
    let registry = try makeRegistry()
    registry.authorizer.install(RecordingAuthorizer(allow: false))
    let approver = CSRApprover(registry: registry)
    try create(
      registry, name: "renew", user: UserInfo(name: "system:open-cluster-management:wec1:agent1"))
    #expect(try approver.reconcile("renew") == .done)
    #expect(get(registry, "renew")?["status"]?["conditions"] == nil)
  }

  @Test func bootstrapRequestsAreApprovedForAutoApprovalUsers() throws {
    let registry = try makeRegistry()
    let bootstrap = "system:serviceaccount:open-cluster-management:agent-registration-bootstrap"
    let approver = CSRApprover(registry: registry, autoApprovalUsers: [bootstrap])
    try create(registry, name: "join", user: UserInfo(name: bootstrap))
    try create(registry, name: "other", user: UserInfo(name: "system:bootstrap:abc"))
    try create(registry, name: "unlabelled", user: UserInfo(name: bootstrap), labelled: false)
    for name in ["join", "other", "unlabelled"] { _ = try approver.reconcile(name) }
    #expect(CertificateSigningRequests.hasCondition(get(registry, "join")!, "Approved"))
    #expect(!CertificateSigningRequests.hasCondition(get(registry, "other")!, "Approved"))
    #expect(!CertificateSigningRequests.hasCondition(get(registry, "unlabelled")!, "Approved"))
  }

  @Test func clusterRequestRulesFollowOCM() {
    func subject(_ cn: String, _ orgs: [String]) -> DistinguishedName {
      DistinguishedName(commonName: cn, organizations: orgs)
    }
    let ok = CSRApprover.clusterRequest(
      cluster: "wec1",
      subject: subject(
        "system:open-cluster-management:wec1:a",
        ["system:open-cluster-management:wec1", "system:open-cluster-management:managed-clusters"]))
    #expect(
      ok
        == CSRApprover.ClusterRequest(
          cluster: "wec1", commonName: "system:open-cluster-management:wec1:a"))
    // Without the common group (backward compatibility) it is still valid.
    #expect(
      CSRApprover.clusterRequest(
        cluster: "wec1",
        subject: subject(
          "system:open-cluster-management:wec1:a", ["system:open-cluster-management:wec1"]))
        != nil)
    // Another cluster's group, an extra group, or a CN outside the prefix are not.
    #expect(
      CSRApprover.clusterRequest(
        cluster: "wec1",
        subject: subject(
          "system:open-cluster-management:wec1:a", ["system:open-cluster-management:wec2"]))
        == nil)
    #expect(
      CSRApprover.clusterRequest(
        cluster: "wec1",
        subject: subject(
          "system:open-cluster-management:wec1:a",
          ["system:open-cluster-management:wec1", "system:masters"])) == nil)
    #expect(
      CSRApprover.clusterRequest(
        cluster: "wec1", subject: subject("agent", ["system:open-cluster-management:wec1"])) == nil)
  }

  @Test func lifetimeFollowsTheKubeControllerManagerSigner() {
    let now: Int64 = 1_000_000
    let caEnd = now + 10 * 365 * 24 * 3600
    #expect(
      CertificateSigner.lifetime(requested: nil, caNotAfter: caEnd, now: now) == 365 * 24 * 3600
        - 300)
    #expect(CertificateSigner.lifetime(requested: 3600, caNotAfter: caEnd, now: now) == 3600)
    #expect(CertificateSigner.lifetime(requested: 60, caNotAfter: caEnd, now: now) == 600)
    #expect(
      CertificateSigner.lifetime(requested: 86400, caNotAfter: caEnd, now: now) == 86400 - 300)
    #expect(CertificateSigner.lifetime(requested: nil, caNotAfter: now + 100, now: now) == 100)
  }
}
