import APIMachinery
import HTTP1
import HTTPServer
import JSON
import Store
import Testing

@testable import APIServer

private func body(_ r: HTTPResponse) -> String {
  guard let b = r.body.completeBytes else { return "<not bytes>" }
  return String(decoding: b, as: UTF8.self)
}

@Suite struct StaticTokenFileTests {
  @Test func parsesKubeCSVWithQuotedGroups() throws {
    let file = try StaticTokenFile(
      text: "t1,alice,1\n\"t2\",bob,2,\"g1,g2\"\r\n\nt3,carol,3,single,ignored\n", path: "f")
    #expect(file.users["t1"] == UserInfo(name: "alice", uid: "1"))
    #expect(file.users["t2"] == UserInfo(name: "bob", uid: "2", groups: ["g1", "g2"]))
    #expect(file.users["t3"]?.groups == ["single"])
    #expect(file.users.count == 3)
  }

  @Test func shortRecordIsAnErrorInKubesWords() {
    #expect(
      throws: StaticTokenFile.ParseError(
        description:
          "token file 'f' must have at least 3 columns (token, user name, user uid), found 2")
    ) {
      try StaticTokenFile(text: "t1,alice\n", path: "f")
    }
  }

  @Test func emptyAndDuplicateTokensAreWarnings() throws {
    let file = try StaticTokenFile(text: ",x,1\nt,a,1\nt,b,2\n", path: "f")
    #expect(file.users["t"]?.name == "b")
    #expect(file.warnings.count == 2)
    #expect(file.warnings[0].hasPrefix("empty token has been found in token file 'f'"))
  }

  @Test func quotedFieldsKeepCommasAndEscapedQuotes() throws {
    let records = try StaticTokenFile.records("a,\"b,\"\"c\"\"\",\n", path: "f")
    #expect(records == [["a", "b,\"c\"", ""]])
  }

  @Test func unterminatedQuoteIsAnError() {
    #expect(throws: StaticTokenFile.ParseError.self) {
      try StaticTokenFile(text: "a,\"b,1\n", path: "f")
    }
  }
}

@Suite struct BootstrapTokenTests {
  static func b64(_ s: String) -> JSONValue {
    // Tiny test-only encoder for ASCII data (what bootstrap-token Secrets hold).
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    let bytes = Array(s.utf8)
    var out = ""
    var i = 0
    while i < bytes.count {
      let n = bytes.count - i
      let b0 = UInt32(bytes[i])
      let b1 = n > 1 ? UInt32(bytes[i + 1]) : 0
      let b2 = n > 2 ? UInt32(bytes[i + 2]) : 0
      let v = b0 << 16 | b1 << 8 | b2
      out.append(alphabet[Int(v >> 18 & 63)])
      out.append(alphabet[Int(v >> 12 & 63)])
      out.append(n > 1 ? alphabet[Int(v >> 6 & 63)] : "=")
      out.append(n > 2 ? alphabet[Int(v & 63)] : "=")
      i += 3
    }
    return .string(out)
  }

  static func secret(_ data: [String: String], type: String = "bootstrap.kubernetes.io/token")
    -> JSONValue
  {
    var d = JSONObject()
    for (k, v) in data.sorted(by: { $0.key < $1.key }) { d[k] = b64(v) }
    return [
      "metadata": ["name": "bootstrap-token-abcdef"], "type": .string(type), "data": .object(d),
    ]
  }

  static let valid: [String: String] = [
    "token-id": "abcdef", "token-secret": "0123456789abcdef",
    "usage-bootstrap-authentication": "true",
    "auth-extra-groups": "system:bootstrappers:managedcluster",
    "expiration": "2099-01-01T00:00:00Z",
  ]

  @Test func shapeIsSixDotSixteen() {
    #expect(
      BootstrapTokenAuthenticator.split("abcdef.0123456789abcdef")! == (
        "abcdef", "0123456789abcdef"
      ))
    #expect(BootstrapTokenAuthenticator.split("abcdef.0123456789abcde") == nil)
    #expect(BootstrapTokenAuthenticator.split("ABCDEF.0123456789abcdef") == nil)
    #expect(BootstrapTokenAuthenticator.split("admintoken") == nil)
  }

  @Test func validSecretGivesBootstrapUserAndGroups() {
    let user = BootstrapTokenAuthenticator.user(
      secret: Self.secret(Self.valid), id: "abcdef", tokenSecret: "0123456789abcdef", now: 0)
    #expect(
      user
        == UserInfo(
          name: "system:bootstrap:abcdef",
          groups: ["system:bootstrappers", "system:bootstrappers:managedcluster"]))
  }

  @Test(arguments: [
    ("token-secret", "ffffffffffffffff"), ("usage-bootstrap-authentication", "false"),
    ("expiration", "2000-01-01T00:00:00Z"), ("auth-extra-groups", "system:masters"),
    ("token-id", "zzzzzz"),
  ])
  func rejectedSecrets(key: String, value: String) {
    var data = Self.valid
    data[key] = value
    let user = BootstrapTokenAuthenticator.user(
      secret: Self.secret(data), id: "abcdef", tokenSecret: "0123456789abcdef",
      now: 1_900_000_000)
    #expect(user == nil)
  }

  @Test func wrongSecretTypeIsRejected() {
    let user = BootstrapTokenAuthenticator.user(
      secret: Self.secret(Self.valid, type: "Opaque"), id: "abcdef",
      tokenSecret: "0123456789abcdef", now: 0)
    #expect(user == nil)
  }

  @Test func authenticatesAgainstTheStoredSecret() throws {
    let registry = Registry(store: Store(), catalog: Catalog())
    try Bootstrap.seed(registry)
    _ = try registry.create(
      BuiltInResources.secret, namespace: "kube-system",
      body: Self.secret(Self.valid))
    let authn = RequestAuthenticator(registry: registry, enabled: true)
    let id = authn.authenticate(
      head("GET", "/api", headers: [("Authorization", "Bearer abcdef.0123456789abcdef")]),
      peer: nil)
    #expect(id.user.name == "system:bootstrap:abcdef")
    #expect(id.user.groups.last == "system:authenticated")
    let bad = authn.authenticate(
      head("GET", "/api", headers: [("Authorization", "Bearer abcdef.ffffffffffffffff")]),
      peer: nil)
    #expect(bad == .rejected)
  }
}

@Suite struct AuthenticationChainTests {
  let registry: Registry
  let authn: RequestAuthenticator

  init() throws {
    registry = Registry(store: Store(), catalog: Catalog())
    try Bootstrap.seed(registry)
    let tokens = try StaticTokenFile(text: "tok,alice,1,\"g1\"\n", path: "f")
    authn = RequestAuthenticator(registry: registry, enabled: true, staticTokens: tokens)
  }

  @Test func staticTokenBearerSchemeIsCaseInsensitive() {
    let id = authn.authenticate(
      head("GET", "/api", headers: [("Authorization", "bearer tok")]), peer: nil)
    #expect(id == .user(UserInfo(name: "alice", uid: "1", groups: ["g1", "system:authenticated"])))
  }

  @Test func noCredentialsIsAnonymousUnknownTokenIsRejected() {
    #expect(authn.authenticate(head("GET", "/api"), peer: nil) == .anonymous)
    #expect(
      authn.authenticate(head("GET", "/api", headers: [("Authorization", "Basic eDp5")]), peer: nil)
        == .anonymous)
    #expect(
      authn.authenticate(
        head("GET", "/api", headers: [("Authorization", "Bearer nope")]), peer: nil)
        == .rejected)
  }

  @Test func clientCertificateIsCNAndOrganizations() {
    let peer = TLSPeer(
      commonName: "system:open-cluster-management:c1:agent",
      organizations: ["system:open-cluster-management:c1"], notBefore: 0, notAfter: 0, issuer: "")
    #expect(
      authn.authenticate(head("GET", "/api"), peer: peer).user
        == UserInfo(
          name: "system:open-cluster-management:c1:agent",
          groups: ["system:open-cluster-management:c1", "system:authenticated"]))
  }

  @Test func serviceAccountTokensLiveWhileTheServiceAccountDoes() throws {
    let sa = try registry.create(
      RBACResources.serviceAccount, namespace: "default", body: ["metadata": ["name": "robot"]])
    let uid = try registry.get(RBACResources.serviceAccount, namespace: "default", name: "robot")
      .uid
    _ = sa
    let tokens = authn.serviceAccountTokens
    let token = tokens.issue(
      namespace: "default", name: "robot", uid: uid ?? "", seconds: 600, now: 1000)
    #expect(
      tokens.authenticate(token, now: 1001)
        == .user(
          UserInfo(
            name: "system:serviceaccount:default:robot",
            groups: ["system:serviceaccounts", "system:serviceaccounts:default"])))
    #expect(tokens.authenticate(token, now: 1600) == .invalid)
    let second = tokens.issue(
      namespace: "default", name: "robot", uid: uid ?? "", seconds: 600, now: 1000)
    _ = try registry.delete(RBACResources.serviceAccount, namespace: "default", name: "robot")
    #expect(tokens.authenticate(second, now: 1001) == .invalid)
    #expect(tokens.authenticate("its-sa.unknown", now: 1001) == .invalid)
    #expect(tokens.authenticate("other", now: 1001) == .notMine)
  }

  @Test func disabledAuthenticationMakesEveryoneAnAdministrator() {
    let off = RequestAuthenticator.disabled(registry: registry)
    #expect(off.authenticate(head("GET", "/api"), peer: nil).user.isMember(of: "system:masters"))
  }

  @Test func unauthorizedBodyIsKubes() {
    #expect(
      body(RequestAuthenticator.unauthorized())
        == "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Unauthorized\",\"reason\":\"Unauthorized\",\"code\":401}\n"
    )
  }
}

@Suite struct RequestAuthorizationTests {
  let user = UserInfo(name: "u")

  @Test func verbsFollowRequestInfoFactory() {
    let info = RequestInfo(group: "", version: "v1", namespace: "ns", resource: "configmaps")
    var named = info
    named.name = "x"
    func verb(_ m: String, _ t: String, _ i: RequestInfo) -> String {
      RequestAuthorization.attributes(head(m, t), i, user: user).verb
    }
    #expect(verb("GET", "/api/v1/namespaces/ns/configmaps", info) == "list")
    #expect(verb("GET", "/api/v1/namespaces/ns/configmaps?watch=true", info) == "watch")
    #expect(verb("HEAD", "/api/v1/namespaces/ns/configmaps/x", named) == "get")
    #expect(verb("POST", "/api/v1/namespaces/ns/configmaps", info) == "create")
    #expect(verb("PUT", "/api/v1/namespaces/ns/configmaps/x", named) == "update")
    #expect(verb("PATCH", "/api/v1/namespaces/ns/configmaps/x", named) == "patch")
    #expect(verb("DELETE", "/api/v1/namespaces/ns/configmaps/x", named) == "delete")
    #expect(verb("DELETE", "/api/v1/namespaces/ns/configmaps", info) == "deletecollection")
  }

  @Test func namespaceObjectsCarryTheirOwnNamespace() {
    let info = RequestInfo.parse(path: "/api/v1/namespaces/wec1")!
    let a = RequestAuthorization.attributes(
      head("GET", "/api/v1/namespaces/wec1"), info, user: user)
    #expect(a.namespace == "wec1" && a.name == "wec1" && a.resource == "namespaces")
  }

  @Test func forbiddenMessagesAreKubes() {
    let list = RequestAuthorization.forbidden(
      AuthorizationAttributes(
        user: user, verb: "list", resource: "configmaps", namespace: "default"),
      reason: "")
    #expect(
      list.message
        == "configmaps is forbidden: User \"u\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""
    )
    #expect(list.name == nil && list.kind == "configmaps" && list.code == 403)
    let status = RequestAuthorization.forbidden(
      AuthorizationAttributes(
        user: user, verb: "update", group: "cluster.open-cluster-management.io",
        resource: "managedclusters", subresource: "status", name: "c2"),
      reason: "RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found")
    #expect(
      status.message
        == "managedclusters.cluster.open-cluster-management.io \"c2\" is forbidden: User \"u\" cannot update resource \"managedclusters/status\" in API group \"cluster.open-cluster-management.io\" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io \"x\" not found"
    )
    #expect(status.name == "c2" && status.group == "cluster.open-cluster-management.io")
    #expect(status.kind == "managedclusters")
    let path = RequestAuthorization.forbidden(
      AuthorizationAttributes(user: .anonymous, verb: "get", path: "/api"), reason: "")
    #expect(path.message == "forbidden: User \"system:anonymous\" cannot get path \"/api\"")
    #expect(
      String(decoding: path.body, as: UTF8.self)
        == "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"forbidden: User \\\"system:anonymous\\\" cannot get path \\\"/api\\\"\",\"reason\":\"Forbidden\",\"details\":{},\"code\":403}\n"
    )
  }
}

/// A stand-in for RBAC (tested in HubTests): anyone may read /healthz and /version, masters may
/// do anything, authenticated users may read discovery paths and create self-subject reviews,
/// the OCM bootstrap ServiceAccount may create ManagedClusters.
private struct TestAuthorizer: Authorizer {
  func authorize(_ a: AuthorizationAttributes) -> AuthorizationDecision {
    if a.user.isMember(of: "system:masters") { return .allow }
    if !a.isResourceRequest {
      if a.path == "/healthz" || a.path == "/version" { return .allow }
      return a.user.isMember(of: "system:authenticated") && a.path.hasPrefix("/api")
        ? .allow : .noOpinion
    }
    if a.resource.hasPrefix("selfsubject") && a.verb == "create" { return .allow }
    if a.user.name.hasSuffix(":agent-registration-bootstrap") && a.resource == "managedclusters"
      && a.verb == "create"
    {
      return .allow
    }
    return .noOpinion
  }

  func rules(for user: UserInfo, namespace: String) -> SubjectRules {
    if user.isMember(of: "system:masters") { return .everything }
    return SubjectRules(resourceRules: [
      PolicyRule(
        verbs: ["create"], apiGroups: ["authorization.k8s.io"],
        resources: ["selfsubjectaccessreviews"])
    ])
  }
}

@Suite struct EnforcementTests {
  let handler: APIHandler

  init() throws {
    let registry = Registry(store: Store(), catalog: Catalog())
    try Bootstrap.seed(registry)
    _ = try? registry.create(
      BuiltInResources.namespace, namespace: "",
      body: ["metadata": ["name": "open-cluster-management"]])
    _ = try registry.create(
      RBACResources.serviceAccount, namespace: "open-cluster-management",
      body: ["metadata": ["name": "agent-registration-bootstrap"]])
    registry.authorizer.install(TestAuthorizer())
    let tokens = try StaticTokenFile(
      text: "admin,admin,1,system:masters\nuser,someone,2\n", path: "f")
    handler = APIHandler(
      registry: registry,
      authenticator: RequestAuthenticator(registry: registry, enabled: true, staticTokens: tokens))
  }

  func send(_ method: String, _ target: String, token: String? = nil, body text: String = "")
    -> HTTPResponse
  {
    let headers = token.map { [("Authorization", "Bearer \($0)")] } ?? []
    return handler.handle(
      HTTPRequest(head: head(method, target, headers: headers), body: Array(text.utf8)),
      context: RequestContext(remoteAddress: "t", loopIndex: 0))
  }

  @Test func anonymousReachesOnlyPublicPaths() {
    #expect(send("GET", "/healthz").status == 200)
    #expect(send("GET", "/version").status == 200)
    #expect(send("GET", "/api").status == 401)
    #expect(send("GET", "/api/v1/namespaces").status == 401)
    #expect(send("GET", "/healthz", token: "bad").status == 401)
  }

  @Test func authenticatedUsersGetDiscoveryButNotData() {
    #expect(send("GET", "/api", token: "user").status == 200)
    let r = send("GET", "/api/v1/namespaces/default/configmaps", token: "user")
    #expect(r.status == 403)
    #expect(body(r).contains("User \\\"someone\\\" cannot list resource \\\"configmaps\\\""))
    #expect(send("GET", "/api/v1/namespaces/default/configmaps", token: "admin").status == 200)
  }

  @Test func selfSubjectReviewsAnswerForTheRequester() throws {
    let review =
      "{\"spec\":{\"resourceAttributes\":{\"verb\":\"list\",\"resource\":\"configmaps\",\"namespace\":\"default\"}}}"
    let denied = send(
      "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", token: "user", body: review)
    #expect(denied.status == 201)
    #expect(body(denied).contains("\"allowed\":false"))
    let allowed = send(
      "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", token: "admin", body: review
    )
    #expect(body(allowed).contains("\"allowed\":true"))
    let rules = send(
      "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", token: "user",
      body: "{\"spec\":{\"namespace\":\"default\"}}")
    #expect(body(rules).contains("selfsubjectaccessreviews"))
    #expect(!body(rules).contains("\"resources\":[\"*\"]"))
  }

  @Test func tokenRequestIssuesAWorkingServiceAccountToken() throws {
    let r = send(
      "POST",
      "/api/v1/namespaces/open-cluster-management/serviceaccounts/agent-registration-bootstrap/token",
      token: "admin", body: "{\"spec\":{\"expirationSeconds\":3600}}")
    #expect(r.status == 201)
    let json = try JSONParser.parse(Array(body(r).utf8))
    let token = try #require(json["status"]?["token"]?.stringValue)
    #expect(json["spec"]?["expirationSeconds"] == 3600)
    #expect(
      send(
        "POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters", token: token,
        body:
          "{\"apiVersion\":\"cluster.open-cluster-management.io/v1\",\"kind\":\"ManagedCluster\",\"metadata\":{\"name\":\"c9\"},\"spec\":{\"hubAcceptsClient\":false}}"
      ).status == 201)
    #expect(send("GET", "/api/v1/namespaces/default/configmaps", token: token).status == 403)
    let short = send(
      "POST",
      "/api/v1/namespaces/open-cluster-management/serviceaccounts/agent-registration-bootstrap/token",
      token: "admin", body: "{\"spec\":{\"expirationSeconds\":60}}")
    #expect(short.status == 422)
    #expect(body(short).contains("may not specify a duration less than 10 minutes"))
    #expect(
      send(
        "POST", "/api/v1/namespaces/default/serviceaccounts/missing/token", token: "admin",
        body: "{}"
      ).status == 404)
  }
}
