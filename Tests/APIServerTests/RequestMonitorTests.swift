import APIMachinery
import Dispatch
import HTTP1
import HTTPServer
import JSON
import Observability
import Store
import Synchronization
import Testing

@testable import APIServer

private func classify(_ method: String, _ target: String, headers: [(String, String)] = [])
  -> RequestMonitor.Exchange
{
  let h = head(method, target, headers: headers)
  return RequestMonitor.classify(h, info: RequestInfo.parse(path: h.path))
}

@Suite struct RequestMonitorTests {
  @Test func verbsAndScopesAsKubeLabelsThem() {
    let cases: [(String, String, String, String, String)] = [
      ("GET", "/api/v1/namespaces/default/configmaps/a", "GET", "resource", "get"),
      ("GET", "/api/v1/namespaces/default/configmaps", "LIST", "namespace", "list"),
      ("GET", "/api/v1/configmaps", "LIST", "cluster", "list"),
      ("GET", "/api/v1/namespaces/default/configmaps?watch=true", "WATCH", "namespace", "watch"),
      ("POST", "/api/v1/namespaces/default/configmaps", "POST", "resource", "create"),
      ("PUT", "/api/v1/namespaces/a", "PUT", "resource", "update"),
      (
        "DELETE", "/api/v1/namespaces/default/configmaps", "DELETECOLLECTION", "namespace",
        "deletecollection"
      ),
      ("DELETE", "/api/v1/namespaces/default/configmaps/a", "DELETE", "resource", "delete"),
      ("GET", "/healthz", "GET", "", "get"),
      ("HEAD", "/version", "GET", "", "head"),
    ]
    for (method, target, verb, scope, auditVerb) in cases {
      let e = classify(method, target)
      #expect(e.labels.verb == verb, "\(method) \(target)")
      #expect(e.labels.scope == scope, "\(method) \(target)")
      #expect(e.auditVerb == auditVerb, "\(method) \(target)")
    }
    let apply = classify(
      "PATCH", "/apis/cluster.open-cluster-management.io/v1/managedclusters/c1/status?dryRun=All",
      headers: [("Content-Type", "application/apply-patch+yaml")])
    #expect(apply.labels.verb == "APPLY")
    #expect(apply.auditVerb == "patch")
    #expect(apply.labels.group == "cluster.open-cluster-management.io")
    #expect(apply.labels.subresource == "status")
    #expect(apply.labels.dryRun == "All")
    let health = classify("GET", "/livez")
    #expect(health.labels.subresource == "/livez")
    #expect(health.labels.component == "")
    #expect(health.isExempt)
    #expect(classify("GET", "/api/v1/namespaces?watch=1").isWatch)
  }

  @Test func identitiesAndAddresses() {
    #expect(RequestContext.host(of: "127.0.0.2:5000") == "127.0.0.2")
    #expect(RequestContext.host(of: "[::1]:80") == "::1")
    #expect(
      RequestMonitor.identity(.anonymous, remote: "10.0.0.1:9") == "system:anonymous@10.0.0.1")
    let agent = UserInfo(name: "system:open-cluster-management:c1:agent", groups: ["a"])
    #expect(RequestMonitor.identity(agent, remote: "10.0.0.1:9") == agent.name)
    let admin = UserInfo(name: "itsd-admin", groups: ["system:masters"])
    #expect(RequestMonitor.isPrivileged(admin))
    let unsecured = UserInfo(name: "system:unsecured", groups: ["system:masters"])
    #expect(!RequestMonitor.isPrivileged(unsecured))
  }

  /// 404s for paths the server does not serve keep no labels taken from the URL.
  @Test func unknownPathsDoNotGrowTheSeries() {
    let monitor = RequestMonitor(configuration: OperationsConfiguration(), catalog: Catalog())
    let context = RequestContext(remoteAddress: "127.0.0.1:1", loopIndex: 0)
    let notFound: (HTTPRequest, RequestInfo?) -> HTTPResponse = { _, _ in
      HTTPResponse(status: 404, contentType: "application/json", body: [])
    }
    for target in [
      "/api/v1/namespaces/default/configmaps/a/x1", "/api/v1/namespaces/default/configmaps/a/x2",
      "/apis/nope.example/v1/things1", "/apis/nope.example/v1/things2",
    ] {
      let request = HTTPRequest(head: head("GET", target), body: [])
      _ = monitor.serve(request, context: context, user: .anonymous, route: notFound)
    }
    let sub = RequestLabels(
      verb: "GET", version: "v1", resource: "configmaps", scope: "resource")
    #expect(monitor.requests.count(sub, code: 404) == 2)
    #expect(monitor.requests.count(RequestLabels(verb: "GET"), code: 404) == 2)
    #expect(monitor.requests.families()[0].samples.count == 2)
  }

  /// Health checks are labelled by path without a component; other non-resource paths by their
  /// cleaned verb; resource requests by their parsed path and scope.
  @Test func recordedLabels() {
    let monitor = RequestMonitor(configuration: OperationsConfiguration(), catalog: Catalog())
    let context = RequestContext(remoteAddress: "127.0.0.1:1", loopIndex: 0)
    let ok: (HTTPRequest, RequestInfo?) -> HTTPResponse = { _, _ in
      HTTPResponse(status: 200, contentType: "application/json", body: [])
    }
    for (method, target) in [
      ("GET", "/livez"), ("HEAD", "/version"), ("PROPFIND", "/version"),
      ("POST", "/api/v1/namespaces/a/configmaps?dryRun=All"), ("GET", "/api/v1/configmaps"),
    ] {
      let request = HTTPRequest(head: head(method, target), body: [])
      _ = monitor.serve(request, context: context, user: .anonymous, route: ok)
    }
    let expected = [
      RequestLabels(verb: "GET", subresource: "/livez", component: ""),
      RequestLabels(verb: "GET"),
      RequestLabels(verb: "other"),
      RequestLabels(
        verb: "POST", dryRun: "All", version: "v1", resource: "configmaps", scope: "resource"),
      RequestLabels(verb: "LIST", version: "v1", resource: "configmaps", scope: "cluster"),
    ]
    for labels in expected { #expect(monitor.requests.count(labels, code: 200) == 1) }
    #expect(monitor.requests.families()[0].samples.count == expected.count)
  }

  /// A request held open (deferred) keeps its slot; the next one from the same client is
  /// answered with kube's exact 429, another client is still served, and metrics, audit and
  /// the slot all settle when the held request completes.
  @Test func deferredRequestsHoldTheirSlotUntilAnswered() throws {
    let metrics = MetricsRegistry()
    let lines = Mutex<[UInt8]>([])
    let audit = AuditLog(output: { bytes in lines.withLock { $0.append(contentsOf: bytes) } })
    var configuration = OperationsConfiguration()
    configuration.metrics = metrics
    configuration.audit = audit
    configuration.maxRequestsInflight = 2
    let monitor = RequestMonitor(
      configuration: configuration, catalog: Catalog())
    let pending = Mutex<[Responder]>([])
    let slow: (HTTPRequest, RequestInfo?) -> HTTPResponse = { _, _ in
      HTTPResponse(
        status: 200, body: .deferred { responder in pending.withLock { $0.append(responder) } })
    }
    let user = UserInfo(name: "alice", uid: "u-1", groups: ["g1", "system:authenticated"])
    let list = HTTPRequest(head: head("GET", "/api/v1/namespaces/default/configmaps"), body: [])
    let context = RequestContext(remoteAddress: "127.0.0.1:4000", loopIndex: 0)
    let first = monitor.serve(list, context: context, user: user, route: slow)
    guard case .deferred(let produce) = first.body else {
      Issue.record("not deferred")
      return
    }
    let delivered = Mutex<[Int]>([])
    produce(Responder { r in delivered.withLock { $0.append(r.status) } })
    #expect(monitor.limiter.inflight(.readOnly) == 1)

    let rejected = monitor.serve(list, context: context, user: user, route: slow)
    #expect(rejected.status == 429)
    #expect(rejected.headers.contains { $0 == ("Retry-After", "1") })
    #expect(rejected.headers.contains { $0 == ("Content-Type", "text/plain; charset=utf-8") })
    guard case .bytes(let body) = rejected.body else {
      Issue.record("429 without a body")
      return
    }
    #expect(String(decoding: body, as: UTF8.self) == "Too many requests, please try again later.\n")

    let bob = UserInfo(name: "bob")
    let served = monitor.serve(list, context: context, user: bob) { _, _ in
      HTTPResponse(status: 200, contentType: "application/json", body: Array("{}".utf8))
    }
    #expect(served.status == 200)

    for r in pending.withLock({ $0 }) {
      r.respond(HTTPResponse(status: 200, contentType: "application/json", body: []))
    }
    #expect(delivered.withLock { $0 } == [200])
    #expect(monitor.limiter.inflight(.readOnly) == 0)

    let labels = RequestLabels(
      verb: "LIST", version: "v1", resource: "configmaps", scope: "namespace")
    #expect(monitor.requests.count(labels, code: 200) == 2)
    #expect(monitor.requests.count(labels, code: 429) == 1)
    let text = String(decoding: metrics.render(), as: UTF8.self)
    #expect(text.contains(#"apiserver_dropped_requests_total{request_kind="readOnly"} 1"#))

    audit.flush()
    let events = String(decoding: lines.withLock { $0 }, as: UTF8.self).split(separator: "\n")
    #expect(events.count == 3)
    let event = try JSONParser.parse(Array(events[0].utf8))
    #expect(event["kind"]?.stringValue == "Event")
    #expect(event["apiVersion"]?.stringValue == "audit.k8s.io/v1")
    #expect(event["level"]?.stringValue == "Metadata")
    #expect(event["stage"]?.stringValue == "ResponseComplete")
    #expect(event["verb"]?.stringValue == "list")
    #expect(event["user"]?["username"]?.stringValue == "alice")
    #expect(event["user"]?["uid"]?.stringValue == "u-1")
    #expect(event["user"]?["groups"]?[0]?.stringValue == "g1")
    #expect(event["sourceIPs"]?[0]?.stringValue == "127.0.0.1")
    #expect(event["objectRef"]?["resource"]?.stringValue == "configmaps")
    #expect(event["objectRef"]?["namespace"]?.stringValue == "default")
    #expect(event["objectRef"]?["apiVersion"]?.stringValue == "v1")
    #expect(event["objectRef"]?["apiGroup"] == nil)
    #expect(event["responseStatus"]?["code"]?.int64Value == 429)
    #expect(event["auditID"]?.stringValue?.count == 36)
    let received = event["requestReceivedTimestamp"]?.stringValue ?? ""
    #expect(received.count == 27 && received.hasSuffix("Z"))
  }
}
