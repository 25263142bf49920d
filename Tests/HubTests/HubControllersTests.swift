import APIMachinery
import Dispatch
import Glibc
import JSON
import Store
import Testing

@testable import Hub

/// The OCM hub controllers against a real Registry, with short timings.
@Suite struct HubControllersTests {
  let mc = OCMResources.managedCluster
  let work = OCMResources.manifestWork
  let lease = BuiltInResources.lease
  let ns = BuiltInResources.namespace

  func start(_ options: HubOptions = HubOptions(cleanupRequeue: .milliseconds(100))) throws
    -> (Registry, HubControllers)
  {
    let registry = try makeRegistry()
    let hub = HubControllers(registry: registry, options: options)
    hub.start()
    return (registry, hub)
  }

  func cluster(_ name: String, accepted: Bool, leaseSeconds: Int64 = 60) -> JSONValue {
    [
      "apiVersion": "cluster.open-cluster-management.io/v1", "kind": "ManagedCluster",
      "metadata": ["name": .string(name)],
      "spec": ["hubAcceptsClient": .bool(accepted), "leaseDurationSeconds": .int(leaseSeconds)],
    ]
  }

  func get(_ r: Registry, _ name: String) -> JSONValue? {
    (try? r.get(mc, namespace: "", name: name))?.object
  }

  func condition(_ r: Registry, _ name: String, _ type: String) -> JSONValue? {
    get(r, name).flatMap { Conditions.find(type, in: $0) }
  }

  func taintKeys(_ r: Registry, _ name: String) -> [String] {
    (get(r, name)?["spec"]?["taints"]?.arrayValue ?? []).compactMap { $0["key"]?.stringValue }
  }

  func setAvailable(_ r: Registry, _ name: String, _ status: String) throws {
    _ = try r.patch(mc, namespace: "", name: name, subresource: .status) {
      current throws(APIError) in
      Conditions.setting(
        Condition(
          type: OCM.availableCondition, status: status, reason: "ManagedClusterAvailable",
          message: "Managed cluster is available"), in: current, now: ServerClock.timestamp())
    }
  }

  func renewLease(_ r: Registry, _ name: String, at nanos: Int64) throws {
    _ = try r.patch(lease, namespace: name, name: OCM.leaseName) { current throws(APIError) in
      guard case .object(var root) = current, var spec = root["spec"]?.objectValue else {
        return current
      }
      spec["renewTime"] = .string(HubTime.microTime(nanos))
      root["spec"] = .object(spec)
      return .object(root)
    }
  }

  func createWork(
    _ r: Registry, _ ns: String, _ name: String, priority: String? = nil,
    finalizer: Bool = false
  ) throws {
    var meta: JSONObject = ["name": .string(name)]
    if let priority { meta["annotations"] = [OCM.cleanupPriorityAnnotation: .string(priority)] }
    if finalizer { meta["finalizers"] = [.string(OCM.manifestWorkCleanupFinalizer)] }
    _ = try r.create(
      work, namespace: ns,
      body: [
        "metadata": .object(meta),
        "spec": [
          "workload": [
            "manifests": [
              [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "x", "namespace": "default"],
              ]
            ]
          ]
        ],
      ])
  }

  @Test func acceptedClusterGetsNamespaceFinalizersConditionLeaseAndRBAC() throws {
    let (registry, hub) = try start()
    defer { hub.stop() }
    _ = try registry.create(mc, namespace: "", body: cluster("wec1", accepted: true))
    #expect(
      eventually { condition(registry, "wec1", OCM.hubAcceptedCondition)?["status"] == "True" })
    let accepted = try #require(condition(registry, "wec1", OCM.hubAcceptedCondition))
    #expect(accepted["reason"] == "HubClusterAdminAccepted")
    #expect(accepted["message"] == "Accepted by hub cluster admin")
    #expect(
      eventually {
        let f = (try? registry.get(mc, namespace: "", name: "wec1"))?.finalizers ?? []
        return Set(f)
          == [OCM.apiResourceCleanupFinalizer, OCM.resourceCleanupFinalizer]
      })
    let namespace = try registry.get(ns, namespace: "", name: "wec1")
    #expect(namespace.labels[OCM.clusterNameLabel] == "wec1")
    #expect(
      eventually { (try? registry.get(lease, namespace: "wec1", name: OCM.leaseName)) != nil })
    let l = try registry.get(lease, namespace: "wec1", name: OCM.leaseName).object
    #expect(l["metadata"]?["labels"]?[OCM.clusterNameLabel] == "wec1")
    #expect(l["spec"]?["holderIdentity"] == .string(OCM.leaseName))
    let renew = try #require(l["spec"]?["renewTime"]?.stringValue)
    #expect(renew.count == 27 && renew.hasSuffix("Z") && renew.contains("."))
    // No agent: Available is absent, so the cluster is unreachable.
    #expect(eventually { taintKeys(registry, "wec1") == [OCM.unreachableTaint] })
    // RBAC (served by this catalog).
    let rb = RBACResources.roleBinding
    #expect(
      eventually {
        (try? registry.get(rb, namespace: "wec1", name: ClusterRBAC.workBindingName("wec1")))?
          .finalizers == [OCM.manifestWorkCleanupFinalizer]
      })
    _ = try registry.get(rb, namespace: "wec1", name: ClusterRBAC.registrationBindingName("wec1"))
    let role = try registry.get(
      RBACResources.clusterRole, namespace: "", name: ClusterRBAC.clusterRoleName("wec1"))
    #expect(role.object["rules"]?.arrayValue?.count == 4)
    _ = try registry.get(
      RBACResources.clusterRoleBinding, namespace: "", name: ClusterRBAC.clusterRoleName("wec1"))
    #expect(
      eventually {
        (try? registry.get(
          RBACResources.clusterRole, namespace: "", name: ClusterRBAC.workRole)) != nil
      })
  }

  @Test func unacceptedClusterGetsOnlyTheGCFinalizerAndTheUnreachableTaint() throws {
    let (registry, hub) = try start()
    defer { hub.stop() }
    _ = try registry.create(mc, namespace: "", body: cluster("pending", accepted: false))
    #expect(
      eventually {
        (try? registry.get(mc, namespace: "", name: "pending"))?.finalizers
          == [OCM.resourceCleanupFinalizer]
      })
    #expect(eventually { taintKeys(registry, "pending") == [OCM.unreachableTaint] })
    usleep(100_000)
    #expect((try? registry.get(ns, namespace: "", name: "pending")) == nil)
    #expect(condition(registry, "pending", OCM.hubAcceptedCondition) == nil)
  }

  @Test func expiredLeaseMakesAvailableUnknownAndTaintsFollowTheCondition() throws {
    var options = HubOptions(cleanupRequeue: .milliseconds(100))
    options.leaseDurationTimes = 1  // grace = 1 × 1 s
    let (registry, hub) = try start(options)
    defer { hub.stop() }
    _ = try registry.create(mc, namespace: "", body: cluster("c1", accepted: true, leaseSeconds: 1))
    #expect(eventually { (try? registry.get(lease, namespace: "c1", name: OCM.leaseName)) != nil })
    try setAvailable(registry, "c1", "True")
    #expect(eventually { taintKeys(registry, "c1").isEmpty })
    let started = DispatchTime.now().uptimeNanoseconds
    #expect(
      eventually(seconds: 4) {
        condition(registry, "c1", OCM.availableCondition)?["status"] == "Unknown"
      })
    let elapsed = DispatchTime.now().uptimeNanoseconds - started
    #expect(elapsed < 2_500_000_000)
    let unknown = try #require(condition(registry, "c1", OCM.availableCondition))
    #expect(unknown["reason"] == "ManagedClusterLeaseUpdateStopped")
    #expect(unknown["message"] == "Registration agent stopped updating its lease.")
    #expect(eventually { taintKeys(registry, "c1") == [OCM.unreachableTaint] })
    // An agent that is back renews its lease, then reports; the hub leaves its answer alone
    // while the lease is fresh (an expired lease would turn it back to Unknown).
    try renewLease(registry, "c1", at: HubTime.nowNanos() + 5 * HubTime.nanosPerSecond)
    try setAvailable(registry, "c1", "False")
    #expect(eventually { taintKeys(registry, "c1") == [OCM.unavailableTaint] })
    try setAvailable(registry, "c1", "True")
    #expect(eventually { taintKeys(registry, "c1").isEmpty })
  }

  @Test func clockSyncFollowsRenewTime() throws {
    let (registry, hub) = try start()
    defer { hub.stop() }
    _ = try registry.create(mc, namespace: "", body: cluster("clk", accepted: true))
    #expect(eventually { (try? registry.get(lease, namespace: "clk", name: OCM.leaseName)) != nil })
    try renewLease(registry, "clk", at: HubTime.nowNanos())
    #expect(
      eventually { condition(registry, "clk", OCM.clockSyncedCondition)?["status"] == "True" })
    #expect(
      condition(registry, "clk", OCM.clockSyncedCondition)?["message"]
        == "The clock of the managed cluster is synced with the hub.")
    // An agent whose clock is an hour behind.
    try renewLease(registry, "clk", at: HubTime.nowNanos() - 3600 * HubTime.nanosPerSecond)
    #expect(
      eventually { condition(registry, "clk", OCM.clockSyncedCondition)?["status"] == "False" })
    let c = try #require(condition(registry, "clk", OCM.clockSyncedCondition))
    #expect(c["reason"] == "ManagedClusterClockOutOfSync")
  }

  @Test func denyingAnAcceptedClusterKeepsNamespaceAndWorks() throws {
    let (registry, hub) = try start()
    defer { hub.stop() }
    _ = try registry.create(mc, namespace: "", body: cluster("d1", accepted: true))
    #expect(
      eventually { condition(registry, "d1", OCM.hubAcceptedCondition)?["status"] == "True" })
    try createWork(registry, "d1", "w1")
    _ = try registry.patch(mc, namespace: "", name: "d1") { current throws(APIError) in
      guard case .object(var root) = current, var spec = root["spec"]?.objectValue else {
        return current
      }
      spec["hubAcceptsClient"] = false
      root["spec"] = .object(spec)
      return .object(root)
    }
    #expect(
      eventually { condition(registry, "d1", OCM.hubAcceptedCondition)?["status"] == "False" })
    let denied = try #require(condition(registry, "d1", OCM.hubAcceptedCondition))
    #expect(denied["reason"] == "HubClusterAdminDenied")
    #expect(denied["message"] == "Denied by hub cluster admin")
    let rb = RBACResources.roleBinding
    #expect(
      eventually {
        (try? registry.get(rb, namespace: "d1", name: ClusterRBAC.registrationBindingName("d1")))
          == nil
      })
    // The work RoleBinding waits (Terminating) until the works are gone.
    let workBinding = try registry.get(
      rb, namespace: "d1", name: ClusterRBAC.workBindingName("d1"))
    #expect(workBinding.isDeleting)
    let role = try registry.get(
      RBACResources.clusterRole, namespace: "", name: ClusterRBAC.clusterRoleName("d1"))
    #expect(role.object["rules"]?.arrayValue?.count == 1)
    _ = try registry.get(ns, namespace: "", name: "d1")
    _ = try registry.get(work, namespace: "d1", name: "w1")
    _ = try registry.delete(work, namespace: "d1", name: "w1")
    #expect(
      eventually {
        (try? registry.get(rb, namespace: "d1", name: ClusterRBAC.workBindingName("d1"))) == nil
      })
  }

  @Test func deletionRemovesWorksByPriorityThenTheCluster() throws {
    let (registry, hub) = try start()
    defer { hub.stop() }
    _ = try registry.create(mc, namespace: "", body: cluster("gone", accepted: true))
    #expect(
      eventually {
        (try? registry.get(mc, namespace: "", name: "gone"))?.finalizers.count == 2
      })
    #expect(
      eventually { (try? registry.get(lease, namespace: "gone", name: OCM.leaseName)) != nil })
    try createWork(registry, "gone", "late", priority: "50", finalizer: true)
    try createWork(registry, "gone", "early")
    try createWork(registry, "gone", "invalid", priority: "500")
    _ = try registry.delete(mc, namespace: "", name: "gone")
    // Priority 0 (missing and invalid) first; the priority-50 work waits for them.
    #expect(
      eventually {
        (try? registry.list(work, namespace: "gone").items.map(\.name)) == ["late"]
      })
    #expect(
      eventually {
        (try? registry.get(work, namespace: "gone", name: "late"))?.isDeleting == true
      })
    #expect(
      eventually {
        condition(registry, "gone", OCM.deletingCondition)?["message"]
          == "The resource manifestworks is remaning, the remaining count is 1, the finalizer pending count is 1"
      })
    // The work holding a finalizer keeps the cluster Terminating.
    usleep(300_000)
    #expect(get(registry, "gone") != nil)
    _ = try registry.patch(work, namespace: "gone", name: "late") { current throws(APIError) in
      guard case .object(var root) = current, var meta = root["metadata"]?.objectValue else {
        return current
      }
      meta["finalizers"] = []
      root["metadata"] = .object(meta)
      return .object(root)
    }
    #expect(eventually { get(registry, "gone") == nil })
    // Namespace and lease stay, as in OCM.
    _ = try registry.get(ns, namespace: "", name: "gone")
    _ = try registry.get(lease, namespace: "gone", name: OCM.leaseName)
    #expect(
      eventually {
        (try? registry.get(
          RBACResources.roleBinding, namespace: "gone", name: ClusterRBAC.workBindingName("gone")))
          == nil
      })
    #expect(
      (try? registry.get(
        RBACResources.clusterRole, namespace: "", name: ClusterRBAC.clusterRoleName("gone")))
        == nil)
    // The last cluster is gone, so are the common roles.
    #expect(
      eventually {
        (try? registry.get(RBACResources.clusterRole, namespace: "", name: ClusterRBAC.workRole))
          == nil
      })
  }

  @Test func aDeletingClusterWhoseLeaseIsGoneIsUnknownAtOnce() throws {
    let (registry, hub) = try start()
    defer { hub.stop() }
    var body = cluster("lost", accepted: true)
    if case .object(var root) = body, var meta = root["metadata"]?.objectValue {
      meta["finalizers"] = ["example.com/hold"]
      root["metadata"] = .object(meta)
      body = .object(root)
    }
    _ = try registry.create(mc, namespace: "", body: body)
    #expect(
      eventually { (try? registry.get(lease, namespace: "lost", name: OCM.leaseName)) != nil })
    try renewLease(registry, "lost", at: HubTime.nowNanos())
    try setAvailable(registry, "lost", "True")
    _ = try registry.delete(mc, namespace: "", name: "lost")
    // The hub's finalizers go (nothing to clean); example.com/hold keeps the cluster.
    #expect(
      eventually { get(registry, "lost")?["metadata"]?["finalizers"] == ["example.com/hold"] })
    #expect(condition(registry, "lost", OCM.availableCondition)?["status"] == "True")
    _ = try registry.delete(lease, namespace: "lost", name: OCM.leaseName)
    #expect(
      eventually { condition(registry, "lost", OCM.availableCondition)?["status"] == "Unknown" })
  }

  @Test func autoAcceptAnnotatesAndAcceptsOnce() throws {
    var options = HubOptions(cleanupRequeue: .milliseconds(100))
    options.autoAccept = true
    let (registry, hub) = try start(options)
    defer { hub.stop() }
    _ = try registry.create(mc, namespace: "", body: cluster("auto", accepted: false))
    #expect(
      eventually { condition(registry, "auto", OCM.hubAcceptedCondition)?["status"] == "True" })
    let object = try #require(get(registry, "auto"))
    let stamp = try #require(
      object["metadata"]?["annotations"]?[OCM.autoAcceptedAnnotation]?.stringValue)
    #expect(ServerClock.epochSeconds(stamp) != nil)
    #expect(object["spec"]?["hubAcceptsClient"] == true)
    // Denying afterwards sticks: the annotation says it was accepted once already.
    _ = try registry.patch(mc, namespace: "", name: "auto") { current throws(APIError) in
      guard case .object(var root) = current, var spec = root["spec"]?.objectValue else {
        return current
      }
      spec["hubAcceptsClient"] = false
      root["spec"] = .object(spec)
      return .object(root)
    }
    #expect(
      eventually { condition(registry, "auto", OCM.hubAcceptedCondition)?["status"] == "False" })
    usleep(200_000)
    #expect(get(registry, "auto")?["spec"]?["hubAcceptsClient"] == false)
  }

  @Test func setStatusConditionKeepsTransitionTimeUnlessStatusChanges() {
    var object: JSONValue = ["status": ["conditions": []]]
    let a = Condition(type: "A", status: "True", reason: "R", message: "m")
    object = Conditions.setting(a, in: object, now: "2026-01-01T00:00:00Z")
    object = Conditions.setting(
      Condition(type: "B", status: "False", reason: "R", message: "m"), in: object,
      now: "2026-01-01T00:00:01Z")
    object = Conditions.setting(
      Condition(type: "A", status: "True", reason: "R2", message: "m2"), in: object,
      now: "2026-01-01T00:00:02Z")
    var list = object["status"]?["conditions"]?.arrayValue ?? []
    #expect(list.map { $0["type"] } == ["A", "B"])
    #expect(list[0]["lastTransitionTime"] == "2026-01-01T00:00:00Z")
    #expect(list[0]["reason"] == "R2")
    object = Conditions.setting(
      Condition(type: "A", status: "False", reason: "R3", message: "m3"), in: object,
      now: "2026-01-01T00:00:03Z")
    list = object["status"]?["conditions"]?.arrayValue ?? []
    #expect(list[0]["lastTransitionTime"] == "2026-01-01T00:00:03Z")
    #expect(
      list[0].objectValue?.keys == ["type", "status", "lastTransitionTime", "reason", "message"])
  }

  @Test func taintEqualityIgnoresTimeAdded() {
    let stamped: JSONValue = [
      "spec": [
        "taints": [
          [
            "key": .string(OCM.unreachableTaint), "effect": "NoSelect",
            "timeAdded": "2026-01-01T00:00:00Z",
          ]
        ]
      ]
    ]
    #expect(TaintController.desiredTaints(stamped) == nil)
  }

  @Test func microTimeRoundTrips() {
    let nanos: Int64 = 1_790_000_000_123_456_000
    let text = HubTime.microTime(nanos)
    #expect(text.hasSuffix(".123456Z"))
    #expect(HubTime.parse(text) == nanos)
    #expect(
      HubTime.parse("2026-11-25T10:38:14Z")
        == ServerClock.epochSeconds("2026-11-25T10:38:14Z").map { $0 * 1_000_000_000 })
  }
}

@Suite struct HubControllersScaleTests {
  /// 1,000 clusters accepted at once: every one gets its namespace, lease, finalizers and
  /// condition, and each waits on the shared deadline heap for its lease to expire.
  @Test func aThousandClustersAreAcceptedAndScheduled() throws {
    let registry = try makeRegistry()
    let hub = HubControllers(registry: registry)
    hub.start()
    defer { hub.stop() }
    let mc = OCMResources.managedCluster
    let count = 1000
    for i in 0..<count {
      _ = try registry.create(
        mc, namespace: "",
        body: ["metadata": ["name": .string("s\(i)")], "spec": ["hubAcceptsClient": true]])
    }
    #expect(
      eventually(seconds: 60) {
        (try? registry.list(BuiltInResources.lease, namespace: nil).items.count) == count
      })
    #expect(
      eventually(seconds: 60) {
        (try? registry.list(mc, namespace: nil).items.allSatisfy {
          Conditions.status(OCM.hubAcceptedCondition, in: $0.object) == "True"
            && $0.finalizers.count == 2
        }) == true
      })
    #expect(eventually(seconds: 30) { hub.lease.depth.delayed == count })
  }
}
