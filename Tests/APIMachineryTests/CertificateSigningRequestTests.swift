import Foundation
import JSON
import Store
import Synchronization
import Testing

@testable import APIMachinery

/// PEM certificate requests made by `openssl req` with a fresh P-256 key (cached per subject).
enum TestCSR {
  private static let cache = Mutex<[String: String]>([:])

  /// `subject` in openssl's `/O=a/CN=b` form.
  static func pem(_ subject: String) -> String {
    if let hit = cache.withLock({ $0[subject] }) { return hit }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "csr-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let key = dir.appendingPathComponent("k.pem").path
    let out = dir.appendingPathComponent("r.csr").path
    run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
    run(["req", "-new", "-key", key, "-subj", subject, "-out", out])
    let text = try! String(contentsOfFile: out, encoding: .utf8)
    cache.withLock { $0[subject] = text }
    return text
  }

  static func base64(_ subject: String) -> String { Base64Text.encode(Array(pem(subject).utf8)) }

  private static func run(_ arguments: [String]) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    try! process.run()
    process.waitUntilExit()
    precondition(process.terminationStatus == 0, "openssl \(arguments) failed")
  }

  static let agentSubject =
    "/O=system:open-cluster-management:wec1/O=system:open-cluster-management:managed-clusters/CN=system:open-cluster-management:wec1:agent1"
}

/// Answers every question with one fixed decision, recording the questions.
final class FixedAuthorizer: Authorizer, Sendable {
  let allowed: Bool
  let questions = Mutex<[AuthorizationAttributes]>([])
  init(allowed: Bool) { self.allowed = allowed }
  func authorize(_ attributes: AuthorizationAttributes) -> AuthorizationDecision {
    questions.withLock { $0.append(attributes) }
    return allowed ? .allow : .noOpinion
  }
}

@Suite struct CertificateSigningRequestTests {
  let csr = CertificateSigningRequests.definition

  func registry() -> Registry { Registry(store: Store(), catalog: Catalog()) }

  func body(
    name: String = "c1", subject: String = TestCSR.agentSubject,
    signer: String = "kubernetes.io/kube-apiserver-client",
    usages: [String] = ["digital signature", "key encipherment", "client auth"],
    extraSpec: [(String, JSONValue)] = []
  ) -> JSONValue {
    var spec: JSONObject = [
      "request": .string(TestCSR.base64(subject)), "signerName": .string(signer),
      "usages": .array(usages.map { .string($0) }),
    ]
    for (k, v) in extraSpec { spec[k] = v }
    return [
      "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
      "metadata": ["name": .string(name)], "spec": .object(spec),
    ]
  }

  func invalidMessage(_ registry: Registry, _ body: JSONValue) -> APIError? {
    do {
      _ = try registry.create(csr, namespace: "", body: body)
      return nil
    } catch {
      return error
    }
  }

  // MARK: Create

  @Test func createRecordsTheRequesterAndIgnoresClientValues() throws {
    let registry = registry()
    var options = WriteOptions()
    options.user = UserInfo(
      name: "system:bootstrap:abc", uid: "u-1",
      groups: ["system:bootstrappers:managedcluster", "system:authenticated"],
      extra: ["scopes": ["a", "b"]])
    let sent = body(extraSpec: [
      ("username", "mallory"), ("groups", ["system:masters"]), ("uid", "forged"),
    ])
    var withStatus = sent.objectValue!
    withStatus["status"] = ["conditions": [["type": "Approved", "status": "True"]]]
    let stored = try registry.create(
      csr, namespace: "", body: .object(withStatus), options: options
    ).object
    #expect(stored["spec"]?["username"] == "system:bootstrap:abc")
    #expect(stored["spec"]?["uid"] == "u-1")
    #expect(
      stored["spec"]?["groups"] == ["system:bootstrappers:managedcluster", "system:authenticated"])
    #expect(stored["spec"]?["extra"] == ["scopes": ["a", "b"]])
    #expect(stored["status"] == .object(JSONObject()))
  }

  @Test func withoutARequesterTheUnauthenticatedSuperuserIsRecorded() throws {
    let stored = try registry().create(csr, namespace: "", body: body()).object
    #expect(stored["spec"]?["username"] == "system:unsecured")
    #expect(stored["spec"]?["groups"] == ["system:masters", "system:authenticated"])
    #expect(stored["spec"]?["uid"] == nil)
  }

  @Test func validationUsesKubesMessages() {
    let registry = registry()
    var bad = body().objectValue!
    var spec = bad["spec"]!.objectValue!
    spec["request"] = .string(Base64Text.encode(Array("hello".utf8)))
    bad["spec"] = .object(spec)
    let e = invalidMessage(registry, .object(bad))
    #expect(e?.code == 422)
    #expect(
      e?.causes.first?.message
        == "Invalid value: []byte{0x68, 0x65, 0x6c, 0x6c, 0x6f}: PEM block type must be CERTIFICATE REQUEST"
    )
    #expect(e?.causes.first?.field == "spec.request")

    let noUsages = invalidMessage(registry, body(usages: []))
    #expect(
      noUsages?.message
        == "CertificateSigningRequest.certificates.k8s.io \"c1\" is invalid: spec.usages: Required value: usages must be provided"
    )
    let unknown = invalidMessage(registry, body(usages: ["client auth", "bogus", "client auth"]))
    #expect(unknown?.causes.map(\.field) == ["spec.usages[1]", "spec.usages[2]"])
    #expect(
      unknown?.causes[0].message.hasPrefix(
        "Unsupported value: \"bogus\": supported values: \"any\", \"cert sign\"") == true)
    #expect(unknown?.causes[1].message == "Duplicate value: \"client auth\"")

    let noSigner = invalidMessage(registry, body(signer: ""))
    #expect(noSigner?.causes.map(\.message) == ["Required value: signerName must be provided"])
    let badSigner = invalidMessage(registry, body(signer: "example"))
    #expect(
      badSigner?.causes.map(\.message) == [
        "Invalid value: \"example\": must be a fully qualified domain and path of the form 'example.com/signer-name'"
      ])
    let shortDomain = invalidMessage(registry, body(signer: "example/x"))
    #expect(
      shortDomain?.causes.map(\.message) == [
        "Invalid value: \"example\": should be a domain with at least two segments separated by dots"
      ])
    let legacy = invalidMessage(registry, body(signer: "kubernetes.io/legacy-unknown"))
    #expect(
      legacy?.causes.map(\.message) == [
        "Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version"
      ])
    let short = invalidMessage(registry, body(extraSpec: [("expirationSeconds", 300)]))
    #expect(
      short?.causes.map(\.message) == [
        "Invalid value: 300: may not specify a duration less than 600 seconds (10 minutes)"
      ])
    #expect(
      invalidMessage(
        registry, body(name: "Any_Name:is.fine", extraSpec: [("expirationSeconds", 600)])) == nil)
  }

  @Test func requestThatIsNotBase64IsABadRequest() {
    var bad = body().objectValue!
    var spec = bad["spec"]!.objectValue!
    spec["request"] = "not*base64"
    bad["spec"] = .object(spec)
    let e = invalidMessage(registry(), .object(bad))
    #expect(e?.code == 400)
    #expect(
      e?.message
        == "CertificateSigningRequest in version \"v1\" cannot be handled as a CertificateSigningRequest: illegal base64 data at input byte 3"
    )
  }

  @Test func kubeAPIServerClientRequestsMayNotAskForSystemMasters() {
    let e = invalidMessage(registry(), body(subject: "/O=system:masters/CN=eve"))
    #expect(e?.code == 403)
    #expect(
      e?.message
        == "certificatesigningrequests.certificates.k8s.io \"c1\" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed"
    )
  }

  // MARK: Updates

  func approval(_ stored: JSONValue, _ conditions: [JSONValue]) -> JSONValue {
    var o = stored.objectValue!
    o["status"] = ["conditions": .array(conditions)]
    return .object(o)
  }

  @Test func approvalChangesOnlyConditionsAndFillsTimes() throws {
    let registry = registry()
    let stored = try registry.create(csr, namespace: "", body: body()).object
    var tampered = approval(stored, [["type": "Approved", "reason": "R", "message": "M"]])
      .objectValue!
    var spec = tampered["spec"]!.objectValue!
    spec["username"] = "someone-else"
    tampered["spec"] = .object(spec)
    let approved = try registry.update(
      csr, namespace: "", name: "c1", body: .object(tampered), subresource: .approval
    ).object
    #expect(approved["spec"] == stored["spec"])
    let condition = approved["status"]?["conditions"]?[0]
    #expect(condition?["type"] == "Approved")
    #expect(condition?["status"] == "True")  // defaulted
    #expect(condition?["lastUpdateTime"]?.stringValue?.isEmpty == false)
    #expect(condition?["lastTransitionTime"] == condition?["lastUpdateTime"])
    #expect(CertificateSigningRequests.conditionSummary(approved) == "Approved")

    let both = approval(
      approved,
      [
        approved["status"]!["conditions"]![0]!, ["type": "Denied", "status": "True"],
      ])
    #expect(throws: APIError.self) {
      try registry.update(csr, namespace: "", name: "c1", body: both, subresource: .approval)
    }
    do {
      _ = try registry.update(csr, namespace: "", name: "c1", body: both, subresource: .approval)
    } catch {
      #expect(error.code == 422)
      #expect(
        error.causes.map(\.message) == [
          "Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive"
        ])
      #expect(error.causes.map(\.field) == ["status.conditions[1].type"])
    }
    do {
      _ = try registry.update(
        csr, namespace: "", name: "c1", body: approval(approved, []), subresource: .approval)
      Issue.record("removing Approved must fail")
    } catch {
      #expect(
        error.causes.map(\.message) == [
          "Forbidden: updates may not remove a condition of type \"Approved\""
        ])
    }
  }

  @Test func statusWritesCannotApproveAndSetTheCertificateOnce() throws {
    let registry = registry()
    let stored = try registry.create(csr, namespace: "", body: body()).object
    do {
      _ = try registry.update(
        csr, namespace: "", name: "c1",
        body: approval(stored, [["type": "Approved", "status": "True"]]), subresource: .status)
      Issue.record("approving through /status must fail")
    } catch {
      #expect(
        error.causes.map(\.message) == [
          "Forbidden: updates may not add a condition of type \"Approved\""
        ])
    }
    // A main-resource PUT ignores status (and spec).
    let main = try registry.update(
      csr, namespace: "", name: "c1",
      body: approval(stored, [["type": "Approved", "status": "True"]])
    ).object
    #expect(main["status"] == stored["status"])

    var notACertificate = stored.objectValue!
    notACertificate["status"] = [
      "certificate": .string(Base64Text.encode(Array(TestCSR.pem("/CN=x").utf8)))
    ]
    do {
      _ = try registry.update(
        csr, namespace: "", name: "c1", body: .object(notACertificate), subresource: .status)
      Issue.record("a CSR is not a certificate")
    } catch {
      #expect(
        error.causes.map(\.message) == [
          "Invalid value: \"<certificate data>\": only CERTIFICATE PEM blocks are allowed, found \"CERTIFICATE REQUEST\""
        ])
    }
  }

  @Test func approvalNeedsApproveOnTheSigner() throws {
    let registry = registry()
    let authorizer = FixedAuthorizer(allowed: false)
    registry.authorizer.install(authorizer)
    let stored = try registry.create(csr, namespace: "", body: body()).object
    var options = WriteOptions()
    options.user = UserInfo(name: "alice", groups: ["system:authenticated"])
    do {
      _ = try registry.update(
        csr, namespace: "", name: "c1",
        body: approval(stored, [["type": "Approved", "status": "True"]]), subresource: .approval,
        options: options)
      Issue.record("alice may not approve")
    } catch {
      #expect(error.code == 403)
      #expect(
        error.message
          == "certificatesigningrequests.certificates.k8s.io \"c1\" is forbidden: user not permitted to approve requests with signerName \"kubernetes.io/kube-apiserver-client\""
      )
    }
    let asked = authorizer.questions.withLock { $0 }.map(\.name)
    #expect(asked == ["kubernetes.io/kube-apiserver-client", "kubernetes.io/*"])
    #expect(
      authorizer.questions.withLock { $0 }.allSatisfy {
        $0.resource == "signers" && $0.verb == "approve"
      })
  }

  @Test func base64DecodingFollowsGo() throws {
    #expect(try Base64.decodeStrict("aGVsbG8=") == Array("hello".utf8))
    #expect(try Base64.decodeStrict("aGVs\nbG8=") == Array("hello".utf8))
    #expect(throws: Base64.CorruptInput(offset: 3)) { try Base64.decodeStrict("abc*") }
    #expect(throws: Base64.CorruptInput.self) { try Base64.decodeStrict("aGVsbG8") }
  }
}
