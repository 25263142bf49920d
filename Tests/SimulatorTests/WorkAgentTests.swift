import JSON
import KubeClient
import Simulator
import XCTest

final class WorkAgentTests: XCTestCase {
  private func work(
    rv: String, generation: Int64 = 1, finalizers: [String] = [], deleting: Bool = false
  )
    -> JSONValue
  {
    var metadata = JSONObject([
      ("name", "w1"), ("namespace", "wec1"), ("uid", "wu-1"), ("resourceVersion", .string(rv)),
      ("generation", .int(generation)),
    ])
    if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map { .string($0) }) }
    if deleting { metadata["deletionTimestamp"] = "2026-01-01T00:00:00Z" }
    return [
      "apiVersion": "work.open-cluster-management.io/v1", "kind": "ManifestWork",
      "metadata": .object(metadata),
      "spec": [
        "workload": [
          "manifests": [
            [
              "apiVersion": "v1", "kind": "ConfigMap",
              "metadata": ["name": "cm", "namespace": "default"],
            ],
            [
              "apiVersion": "apps/v1", "kind": "Deployment",
              "metadata": ["name": "d", "namespace": "ns"],
            ],
            [
              "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": ["name": "np"],
            ],
          ]
        ]
      ],
    ]
  }

  private let finalizer = "cluster.open-cluster-management.io/manifest-work-cleanup"

  /// An agent whose cluster is accepted and whose work watch is open; requests so far drained.
  private func acceptedAgent(failRatio: Double = 0, applyDelay: UInt64 = 0) throws -> (
    ClusterAgent, FakeAgentIO, SimulatorStats
  ) {
    var config = SimulatorConfiguration(count: 1)
    config.failRatio = failRatio
    config.applyDelayNanos = applyDelay
    let io = FakeAgentIO()
    let stats = SimulatorStats()
    let agent = ClusterAgent(name: "wec1", config: config, io: io, stats: stats)
    agent.start()
    io.answer(
      try XCTUnwrap(io.next()), 200,
      [
        "metadata": ["name": "wec1", "uid": "u", "resourceVersion": "1"],
        "spec": ["hubAcceptsClient": true],
        "status": [
          "conditions": [
            [
              "type": "HubAcceptedManagedCluster", "status": "True",
              "reason": "HubClusterAdminAccepted",
            ]
          ]
        ],
      ])
    io.pending.removeAll()  // status patch and lease GET: other tests cover them
    XCTAssertEqual(io.watches.count, 2)
    return (agent, io, stats)
  }

  func testFinalizerThenStatusThenFinalizerRemovedOnDeletion() throws {
    let (_, io, stats) = try acceptedAgent()
    let works = io.watches[1]
    works.handler(.synced([work(rv: "10")]))

    let add = try XCTUnwrap(io.next())
    XCTAssertEqual(add.request.method, "PATCH")
    XCTAssertEqual(
      add.request.path, "/apis/work.open-cluster-management.io/v1/namespaces/wec1/manifestworks/w1")
    XCTAssertEqual(add.request.contentType, "application/merge-patch+json")
    XCTAssertEqual(
      add.json,
      ["metadata": ["uid": "wu-1", "resourceVersion": "10", "finalizers": [.string(finalizer)]]])
    io.answer(add, 200, work(rv: "11", finalizers: [finalizer]))

    let status = try XCTUnwrap(io.next())
    XCTAssertEqual(
      status.request.path,
      "/apis/work.open-cluster-management.io/v1/namespaces/wec1/manifestworks/w1/status")
    let body = try XCTUnwrap(status.json)
    XCTAssertEqual(body["metadata"], ["uid": "wu-1", "resourceVersion": "11"])
    let conditions = try XCTUnwrap(body["status"]?["conditions"]?.arrayValue)
    XCTAssertEqual(conditions[0]["type"], "Applied")
    XCTAssertEqual(conditions[0]["status"], "True")
    XCTAssertEqual(conditions[0]["reason"], "AppliedManifestWorkComplete")
    XCTAssertEqual(conditions[0]["message"], "Apply manifest work complete")
    XCTAssertEqual(conditions[0]["observedGeneration"], 1)
    XCTAssertEqual(conditions[1]["type"], "Available")
    XCTAssertEqual(conditions[1]["reason"], "ResourcesAvailable")
    XCTAssertEqual(conditions[1]["message"], "All resources are available")
    let manifests = try XCTUnwrap(body["status"]?["resourceStatus"]?["manifests"]?.arrayValue)
    XCTAssertEqual(manifests.count, 3)
    XCTAssertEqual(
      manifests[1]["resourceMeta"],
      [
        "ordinal": 1, "group": "apps", "version": "v1", "kind": "Deployment",
        "resource": "deployments", "name": "d", "namespace": "ns",
      ])
    XCTAssertEqual(manifests[0]["resourceMeta"]?["group"], "")
    XCTAssertEqual(manifests[2]["resourceMeta"]?["resource"], "networkpolicies")
    XCTAssertEqual(
      manifests[0]["conditions"]?.arrayValue?.compactMap { $0["reason"]?.stringValue },
      ["AppliedManifestComplete", "ResourceAvailable", "NoStatusFeedbackSynced"])
    var reported = work(rv: "12", finalizers: [finalizer])
    if case .object(var o) = reported {
      o["status"] = body["status"]
      reported = .object(o)
    }
    io.answer(status, 200, reported)
    XCTAssertEqual(stats.worksApplied.load(ordering: .relaxed), 1)
    XCTAssertNil(io.next(), "reported: nothing more to write")

    // Deletion: the finalizer goes, as null when it was the only one.
    var deleting = work(rv: "13", finalizers: [finalizer], deleting: true)
    if case .object(var o) = deleting {
      o["status"] = body["status"]
      deleting = .object(o)
    }
    works.handler(.event(WatchEvent(kind: .modified, object: deleting)))
    let remove = try XCTUnwrap(io.next())
    XCTAssertEqual(
      remove.json, ["metadata": ["uid": "wu-1", "resourceVersion": "13", "finalizers": .null]])
    io.answer(remove, 200, work(rv: "14", deleting: true))
    XCTAssertEqual(stats.finalizersRemoved.load(ordering: .relaxed), 1)
  }

  func testFailRatioReportsFailedManifests() throws {
    let (_, io, stats) = try acceptedAgent(failRatio: 1)
    io.watches[1].handler(
      .event(WatchEvent(kind: .added, object: work(rv: "10", finalizers: [finalizer]))))
    let status = try XCTUnwrap(io.next())
    let body = try XCTUnwrap(status.json)
    let conditions = try XCTUnwrap(body["status"]?["conditions"]?.arrayValue)
    XCTAssertEqual(conditions[0]["status"], "False")
    XCTAssertEqual(conditions[0]["reason"], "AppliedManifestWorkFailed")
    XCTAssertEqual(conditions[0]["message"], "Failed to apply manifest work")
    XCTAssertEqual(conditions[1]["reason"], "ResourcesNotAvailable")
    XCTAssertEqual(conditions[1]["message"], "3 of 3 resources are not available")
    let m0 = try XCTUnwrap(body["status"]?["resourceStatus"]?["manifests"]?[0]?["conditions"]?[0])
    XCTAssertEqual(m0["reason"], "AppliedManifestFailed")
    XCTAssertTrue(m0["message"]?.stringValue?.hasPrefix("Failed to apply manifest: ") == true)
    io.answer(status, 200, work(rv: "11", finalizers: [finalizer]))
    XCTAssertEqual(stats.worksFailed.load(ordering: .relaxed), 1)
  }

  func testApplyDelayAndConflictReread() throws {
    let (_, io, stats) = try acceptedAgent(applyDelay: 2_000_000_000)
    io.watches[1].handler(
      .event(WatchEvent(kind: .added, object: work(rv: "10", finalizers: [finalizer]))))
    XCTAssertNil(io.next(), "nothing before the apply delay")
    XCTAssertEqual(io.timers.map(\.nanos), [2_000_000_000])
    io.fireTimers()
    let status = try XCTUnwrap(io.next())
    io.answer(status, 409, ["kind": "Status", "code": 409])
    XCTAssertEqual(stats.conflicts.load(ordering: .relaxed), 1)
    let get = try XCTUnwrap(io.next())
    XCTAssertEqual(get.request.method, "GET")
    io.answer(get, 200, work(rv: "15", generation: 2, finalizers: [finalizer]))
    io.fireTimers()
    let again = try XCTUnwrap(io.next())
    XCTAssertEqual(again.json?["metadata"]?["resourceVersion"], "15")
    XCTAssertEqual(again.json?["status"]?["conditions"]?[0]?["observedGeneration"], 2)
  }

  func testHelpers() {
    XCTAssertEqual(WorkStatus.guessResource("Ingress"), "ingresses")
    XCTAssertEqual(WorkStatus.guessResource("Policy"), "policies")
    XCTAssertEqual(WorkStatus.guessResource("ConfigMap"), "configmaps")
    XCTAssertEqual(Timestamps.time(1_767_225_600_123_456_789), "2026-01-01T00:00:00Z")
    XCTAssertEqual(Timestamps.microTime(1_767_225_600_123_456_789), "2026-01-01T00:00:00.123456Z")
    var list: [JSONValue] = []
    Conditions.set(&list, type: "A", status: "True", reason: "R", message: "m", now: "t1")
    Conditions.set(&list, type: "A", status: "True", reason: "R2", message: "m2", now: "t2")
    XCTAssertEqual(list[0]["lastTransitionTime"], "t1", "same status keeps the transition time")
    Conditions.set(&list, type: "A", status: "False", reason: "R", message: "m", now: "t3")
    XCTAssertEqual(list[0]["lastTransitionTime"], "t3")
  }
}
