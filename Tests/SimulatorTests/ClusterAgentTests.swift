import JSON
import KubeClient
import Simulator
import XCTest

final class ClusterAgentTests: XCTestCase {
  private func cluster(rv: String, accepted: Bool, hubAccepts: Bool = true, lease: Int64? = nil)
    -> JSONValue
  {
    var spec = JSONObject([("hubAcceptsClient", .bool(hubAccepts))])
    if let lease { spec["leaseDurationSeconds"] = .int(lease) }
    var conditions: [JSONValue] = []
    if accepted {
      conditions.append([
        "type": "HubAcceptedManagedCluster", "status": "True",
        "lastTransitionTime": "2026-01-01T00:00:00Z", "reason": "HubClusterAdminAccepted",
        "message": "Accepted by hub cluster admin",
      ])
    }
    return [
      "apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
      "metadata": ["name": "wec1", "uid": "u-1", "resourceVersion": .string(rv)],
      "spec": .object(spec), "status": ["conditions": .array(conditions)],
    ]
  }

  private func makeAgent(_ configure: (inout SimulatorConfiguration) -> Void = { _ in }) -> (
    ClusterAgent, FakeAgentIO, SimulatorStats
  ) {
    var config = SimulatorConfiguration(count: 1)
    configure(&config)
    let io = FakeAgentIO()
    let stats = SimulatorStats()
    return (ClusterAgent(name: "wec1", config: config, io: io, stats: stats), io, stats)
  }

  func testBootstrapCreatesTheClusterAsTheRegistrationAgentDoes() throws {
    let (agent, io, stats) = makeAgent {
      $0.labels = [("location", "edge")]
      $0.leaseDurationSeconds = 20
      $0.accept = true
    }
    agent.start()
    let get = try XCTUnwrap(io.next())
    XCTAssertEqual(get.request.method, "GET")
    XCTAssertEqual(
      get.request.path, "/apis/cluster.open-cluster-management.io/v1/managedclusters/wec1")
    io.answer(get, 404, ["kind": "Status", "code": 404])
    let post = try XCTUnwrap(io.next())
    XCTAssertEqual(post.request.method, "POST")
    XCTAssertEqual(post.request.path, "/apis/cluster.open-cluster-management.io/v1/managedclusters")
    let body = try XCTUnwrap(post.json)
    XCTAssertEqual(body["metadata"]?["name"], "wec1")
    XCTAssertEqual(body["metadata"]?["labels"]?["location"], "edge")
    XCTAssertEqual(body["spec"]?["hubAcceptsClient"], .bool(false))
    XCTAssertEqual(body["spec"]?["leaseDurationSeconds"], 20)
    let url = try XCTUnwrap(body["spec"]?["managedClusterClientConfigs"]?[0]?["url"]?.stringValue)
    XCTAssertTrue(url.hasPrefix("https://"), url)
    io.answer(post, 201, cluster(rv: "5", accepted: false, hubAccepts: false))
    XCTAssertEqual(stats.created.load(ordering: .relaxed), 1)
    // Field-selected watch of its own cluster.
    XCTAssertEqual(io.watches.count, 1)
    XCTAssertEqual(io.watches[0].selectors, ["fieldSelector=metadata.name%3Dwec1"])
    // --accept: the admin's merge patch.
    let accept = try XCTUnwrap(io.next())
    XCTAssertEqual(accept.request.method, "PATCH")
    XCTAssertEqual(accept.request.contentType, "application/merge-patch+json")
    XCTAssertEqual(accept.json, ["spec": ["hubAcceptsClient": true]])
    XCTAssertNil(io.next(), "nothing else before acceptance")
  }

  func testJoinsWithAPreconditionedStatusPatchAndRetriesOnConflict() throws {
    let (agent, io, stats) = makeAgent()
    agent.start()
    io.answer(try XCTUnwrap(io.next()), 200, cluster(rv: "7", accepted: false))
    XCTAssertNil(io.next(), "not accepted: no status, no lease")
    io.watches[0].handler(
      .event(WatchEvent(kind: .modified, object: cluster(rv: "8", accepted: true))))

    let patch = try XCTUnwrap(io.next())
    XCTAssertEqual(patch.request.method, "PATCH")
    XCTAssertEqual(
      patch.request.path, "/apis/cluster.open-cluster-management.io/v1/managedclusters/wec1/status")
    XCTAssertEqual(patch.request.contentType, "application/merge-patch+json")
    let body = try XCTUnwrap(patch.json)
    XCTAssertEqual(body["metadata"], ["uid": "u-1", "resourceVersion": "8"])
    let conditions = try XCTUnwrap(body["status"]?["conditions"]?.arrayValue)
    XCTAssertEqual(
      conditions.compactMap { $0["type"]?.stringValue },
      ["HubAcceptedManagedCluster", "ManagedClusterJoined", "ManagedClusterConditionAvailable"])
    XCTAssertEqual(conditions[0]["lastTransitionTime"], "2026-01-01T00:00:00Z", "kept as it was")
    XCTAssertEqual(conditions[1]["reason"], "ManagedClusterJoined")
    XCTAssertEqual(conditions[1]["message"], "Managed cluster joined")
    XCTAssertEqual(conditions[2]["reason"], "ManagedClusterAvailable")
    XCTAssertEqual(conditions[2]["message"], "Managed cluster is available")
    XCTAssertEqual(body["status"]?["version"]?["kubernetes"], "v1.32.0")
    XCTAssertNotNil(body["status"]?["capacity"]?["cpu"])
    XCTAssertNotNil(body["status"]?["allocatable"]?["memory"])

    // The lease loop and the work watch start together with the status write.
    let leaseGet = try XCTUnwrap(io.next())
    XCTAssertEqual(
      leaseGet.request.path,
      "/apis/coordination.k8s.io/v1/namespaces/wec1/leases/managed-cluster-lease")
    XCTAssertEqual(io.watches.count, 2)
    XCTAssertEqual(
      io.watches[1].collection,
      "/apis/work.open-cluster-management.io/v1/namespaces/wec1/manifestworks")

    // 409: re-read, then patch again with the new resourceVersion.
    io.answer(patch, 409, ["kind": "Status", "code": 409, "reason": "Conflict"])
    XCTAssertEqual(stats.conflicts.load(ordering: .relaxed), 1)
    let reread = try XCTUnwrap(io.next())
    XCTAssertEqual(reread.request.method, "GET")
    io.answer(reread, 200, cluster(rv: "9", accepted: true))
    let again = try XCTUnwrap(io.next())
    XCTAssertEqual(again.json?["metadata"]?["resourceVersion"], "9")
    var joined = cluster(rv: "10", accepted: true)
    if case .object(var o) = joined, let s = again.json?["status"] {
      o["status"] = s
      joined = .object(o)
    }
    io.answer(again, 200, joined)
    XCTAssertEqual(stats.joined.load(ordering: .relaxed), 1)
    XCTAssertEqual(stats.available.load(ordering: .relaxed), 1)
    XCTAssertTrue(agent.isJoined)
    // An unchanged cluster event writes nothing.
    io.watches[0].handler(.event(WatchEvent(kind: .modified, object: joined)))
    XCTAssertNil(io.next())
    _ = leaseGet
  }

  func testLeaseRenewedWithMicroTimeEveryDurationWithJitter() throws {
    let (agent, io, stats) = makeAgent()
    agent.start()
    io.answer(try XCTUnwrap(io.next()), 200, cluster(rv: "7", accepted: true, lease: 40))
    let status = try XCTUnwrap(io.next())
    XCTAssertTrue(status.request.path.hasSuffix("/status"))
    let get = try XCTUnwrap(io.next())
    XCTAssertEqual(get.request.method, "GET")
    io.answer(
      get, 200,
      [
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": ["name": "managed-cluster-lease", "namespace": "wec1", "resourceVersion": "3"],
        "spec": [
          "holderIdentity": "managed-cluster-lease", "renewTime": "2026-01-01T00:00:00.000000Z",
        ],
      ])
    let put = try XCTUnwrap(io.next())
    XCTAssertEqual(put.request.method, "PUT")
    let renew = try XCTUnwrap(put.json?["spec"]?["renewTime"]?.stringValue)
    XCTAssertNotNil(
      renew.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/), "MicroTime format: \(renew)")
    XCTAssertEqual(put.json?["metadata"]?["resourceVersion"], "3")
    XCTAssertEqual(put.json?["spec"]?["holderIdentity"], "managed-cluster-lease")
    io.answer(put, 200, put.json)
    XCTAssertEqual(stats.leaseRenewals.load(ordering: .relaxed), 1)
    // Next renewal after 40 s × (1 + 0.25 × 0.5) = 45 s.
    XCTAssertEqual(io.timers.count, 1)
    XCTAssertEqual(io.timers[0].nanos, 45_000_000_000)
    io.fireTimers()
    XCTAssertEqual(io.next()?.request.method, "GET")
  }
}
