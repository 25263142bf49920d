import APIMachinery
import JSON
import Store
import Testing

@testable import Hub

private let mc = OCMResources.managedCluster
private let mw = OCMResources.manifestWork
private let mutator =
  "admission webhook \"managedclustermutators.admission.cluster.open-cluster-management.io\" denied the request: "
private let validator =
  "admission webhook \"managedclustervalidators.admission.cluster.open-cluster-management.io\" denied the request: "
private let workValidator =
  "admission webhook \"manifestworkvalidators.admission.work.open-cluster-management.io\" denied the request: "

/// Allows everything except the questions it is told to deny.
private struct DenyingAuthorizer: Authorizer {
  var deny: @Sendable (AuthorizationAttributes) -> Bool
  func authorize(_ a: AuthorizationAttributes) -> AuthorizationDecision {
    deny(a) ? .noOpinion : .allow
  }
}

private func admissionRegistry() throws -> Registry {
  let registry = try makeRegistry()
  ITSSpace.installAdmission(registry)
  return registry
}

private func userOptions(_ name: String = "alice") -> WriteOptions {
  var o = WriteOptions()
  o.user = UserInfo(name: name, groups: ["system:authenticated"])
  return o
}

/// The error a write throws (nil when it succeeds).
private func failure(_ write: () throws -> Void) -> APIError? {
  do {
    try write()
    return nil
  } catch {
    return error as? APIError ?? APIError.internalError("\(error)")
  }
}

private func merge(_ patch: JSONValue) -> (JSONValue) throws(APIError) -> JSONValue {
  { current throws(APIError) in
    guard case .object(var o) = current, case .object(let p) = patch else { return current }
    for m in p.members {
      if case .object(let inner) = m.value, case .object(var existing)? = o[m.key] {
        for n in inner.members { existing[n.key] = n.value }
        o[m.key] = .object(existing)
      } else {
        o[m.key] = m.value
      }
    }
    return .object(o)
  }
}

@Suite struct ManagedClusterAdmissionTests {
  @Test func clusterSetLabelIsDefaulted() throws {
    let registry = try admissionRegistry()
    let a = try registry.create(mc, namespace: "", body: ["metadata": ["name": "a"]]).object
    #expect(
      a["metadata"]?["labels"] == ["cluster.open-cluster-management.io/clusterset": "default"])
    let b = try registry.create(
      mc, namespace: "",
      body: [
        "metadata": [
          "name": "b", "labels": ["x": "y", "cluster.open-cluster-management.io/clusterset": ""],
        ]
      ]
    ).object
    #expect(b["metadata"]?["labels"]?["cluster.open-cluster-management.io/clusterset"] == "default")
    #expect(b["metadata"]?["labels"]?["x"] == "y")
    let c = try registry.create(
      mc, namespace: "",
      body: [
        "metadata": [
          "name": "c", "labels": ["cluster.open-cluster-management.io/clusterset": "edge"],
        ]
      ]
    ).object
    #expect(c["metadata"]?["labels"]?["cluster.open-cluster-management.io/clusterset"] == "edge")
    // An update that drops the label gets it back.
    let updated = try registry.patch(mc, namespace: "", name: "a") { value throws(APIError) in
      guard case .object(var o) = value, var meta = o["metadata"]?.objectValue else { return value }
      meta["labels"] = ["other": "1"]
      o["metadata"] = .object(meta)
      return .object(o)
    }.object
    #expect(
      updated["metadata"]?["labels"] == [
        "other": "1", "cluster.open-cluster-management.io/clusterset": "default",
      ])
  }

  @Test func taintsGetTimeAdded() throws {
    let registry = try admissionRegistry()
    let created = try registry.create(
      mc, namespace: "",
      body: [
        "metadata": ["name": "t"],
        "spec": [
          "taints": [
            ["key": "a", "effect": "NoSelect", "timeAdded": "2001-01-01T00:00:00Z"],
            ["key": "b", "effect": "NoSelect"],
          ]
        ],
      ]
    ).object
    let taints = created["spec"]?["taints"]?.arrayValue ?? []
    #expect(taints.count == 2)
    let stamp = taints[0]["timeAdded"]
    #expect(stamp != nil && stamp != "2001-01-01T00:00:00Z" && taints[1]["timeAdded"] != nil)

    // A new taint without timeAdded gets it; the unchanged ones keep theirs.
    let kept = taints
    let updated = try registry.patch(
      mc, namespace: "", name: "t",
      merge(["spec": ["taints": .array(kept + [["key": "c", "effect": "NoSelect"]])]])
    ).object
    let after = updated["spec"]?["taints"]?.arrayValue ?? []
    #expect(after.count == 3 && after[0]["timeAdded"] == stamp && after[2]["timeAdded"] != nil)

    // Setting it on a new taint, or changing it on an unchanged one, is denied.
    var e = failure {
      _ = try registry.patch(
        mc, namespace: "", name: "t",
        merge([
          "spec": [
            "taints": .array(
              after + [["key": "d", "effect": "NoSelect", "timeAdded": "2001-01-01T00:00:00Z"]])
          ]
        ]))
    }
    #expect(e?.code == 400 && e?.reason == "BadRequest")
    #expect(e?.message == mutator + "It is not allowed to set TimeAdded of Taint \"d\".")
    var changed = after
    for i in 0..<2 {
      guard case .object(var t) = changed[i] else { continue }
      t["timeAdded"] = "2001-01-01T00:00:00Z"
      changed[i] = .object(t)
    }
    e = failure {
      _ = try registry.patch(
        mc, namespace: "", name: "t", merge(["spec": ["taints": .array(changed)]]))
    }
    #expect(e?.message == mutator + "It is not allowed to set TimeAdded of Taint \"a,b\".")

    // A taint whose effect changes is stamped again (and may not carry a time of its own).
    guard case .object(var first) = after[0] else { return }
    first["effect"] = "PreferNoSelect"
    first["timeAdded"] = nil
    let restamped = try registry.patch(
      mc, namespace: "", name: "t", merge(["spec": ["taints": .array([.object(first)])]])
    ).object
    #expect(restamped["spec"]?["taints"]?[0]?["timeAdded"] != nil)

    // The server's own controllers go through the same plug-in.
    let byController = try registry.patch(
      mc, namespace: "", name: "t", options: WriteOptions(fieldManager: "registration"),
      merge([
        "spec": [
          "taints": [
            ["key": "cluster.open-cluster-management.io/unreachable", "effect": "NoSelect"]
          ]
        ]
      ])
    ).object
    #expect(byController["spec"]?["taints"]?[0]?["timeAdded"]?.stringValue?.isEmpty == false)
  }

  @Test func nameAndURLs() throws {
    let registry = try admissionRegistry()
    var e = failure {
      _ = try registry.create(mc, namespace: "", body: ["metadata": ["name": "a.b"]])
    }
    #expect(e?.code == 400 && e?.reason == "BadRequest")
    #expect(e?.message == validator + "metadata.name format is not correct: must not contain dots")
    e = failure {
      _ = try registry.create(
        mc, namespace: "",
        body: [
          "metadata": ["name": "u"],
          "spec": [
            "managedClusterClientConfigs": [
              ["url": "http://a:6443"], ["url": "https://b:6443"], ["url": "HTTPS://c"],
              ["url": "ftp://d"],
            ]
          ],
        ])
    }
    #expect(
      e?.message
        == validator
        + "url \"http://a:6443\" is invalid in client configs\nurl \"ftp://d\" is invalid in client configs"
    )
    let long = String(repeating: "x", count: 64)
    e = failure {
      _ = try registry.create(mc, namespace: "", body: ["metadata": ["name": .string(long)]])
    }
    #expect(
      e?.message == validator
        + "metadata.name format is not correct: must be no more than 63 characters")
    #expect(ManagedClusterValidation.isHTTPSURL("https://[::1]:6443/x"))
    #expect(!ManagedClusterValidation.isHTTPSURL("https://a:port"))
    #expect(!ManagedClusterValidation.isHTTPSURL(""))
  }

  @Test func acceptingNeedsTheAcceptPermissionAndALiveNamespace() throws {
    let registry = try admissionRegistry()
    registry.authorizer.install(
      DenyingAuthorizer { $0.subresource == "accept" && $0.user.name == "bob" })
    _ = try registry.create(
      mc, namespace: "", body: ["metadata": ["name": "c1"]], options: userOptions("bob"))
    let accept = merge(["spec": ["hubAcceptsClient": true]])
    let e = failure {
      _ = try registry.patch(mc, namespace: "", name: "c1", options: userOptions("bob"), accept)
    }
    #expect(e?.code == 403 && e?.reason == "Forbidden")
    #expect(
      e?.message
        == validator
        + "managedclusters/accept.cluster.open-cluster-management.io \"c1\" is forbidden: user \"bob\" cannot update the HubAcceptsClient field"
    )
    #expect(
      e?.name == "c1" && e?.group == "cluster.open-cluster-management.io"
        && e?.kind == "managedclusters/accept")
    // Creating it accepted is asked the same question.
    #expect(
      failure {
        _ = try registry.create(
          mc, namespace: "",
          body: ["metadata": ["name": "c2"], "spec": ["hubAcceptsClient": true]],
          options: userOptions("bob"))
      }?.code == 403)
    // alice may; the controllers are not asked.
    _ = try registry.patch(mc, namespace: "", name: "c1", options: userOptions("alice"), accept)

    // A terminating cluster namespace refuses acceptance.
    let ns = BuiltInResources.namespace
    _ = try registry.create(mc, namespace: "", body: ["metadata": ["name": "c3"]])
    _ = try registry.create(ns, namespace: "", body: ["metadata": ["name": "c3"]])
    _ = try registry.delete(ns, namespace: "", name: "c3")
    let t = failure { _ = try registry.patch(mc, namespace: "", name: "c3", accept) }
    #expect(t?.code == 403)
    #expect(
      t?.message
        == validator
        + "managedclusters/accept.cluster.open-cluster-management.io \"c3\" is forbidden: cluster namespace \"c3\" is terminating"
    )
  }

  @Test func joiningASetNeedsTheJoinPermission() throws {
    let registry = try admissionRegistry()
    registry.authorizer.install(
      DenyingAuthorizer { $0.subresource == "join" && $0.name == "secret" })
    let e = failure {
      _ = try registry.create(
        mc, namespace: "",
        body: [
          "metadata": [
            "name": "j", "labels": ["cluster.open-cluster-management.io/clusterset": "secret"],
          ]
        ],
        options: userOptions())
    }
    #expect(e?.code == 403)
    #expect(
      e?.message
        == validator
        + "managedclustersets/join.cluster.open-cluster-management.io \"secret\" is forbidden: user \"alice\" cannot add/remove a ManagedCluster to/from ManagedClusterSet \"secret\""
    )
    _ = try registry.create(
      mc, namespace: "", body: ["metadata": ["name": "j"]], options: userOptions())
    #expect(
      failure {
        _ = try registry.patch(
          mc, namespace: "", name: "j", options: userOptions(),
          merge([
            "metadata": ["labels": ["cluster.open-cluster-management.io/clusterset": "secret"]]
          ]))
      }?.code == 403)
  }

  @Test func statusWritesSkipThePlugins() throws {
    let registry = try admissionRegistry()
    _ = try registry.create(mc, namespace: "", body: ["metadata": ["name": "s"]])
    registry.authorizer.install(DenyingAuthorizer { _ in true })
    let out = try registry.patch(
      mc, namespace: "", name: "s", subresource: .status, options: userOptions(),
      merge(["status": ["conditions": []]]))
    #expect(out.object["metadata"]?["name"] == "s")
  }
}

@Suite struct ManifestWorkAdmissionTests {
  func work(_ manifests: [JSONValue], name: String = "w", executor: JSONValue? = nil) -> JSONValue {
    var spec: JSONObject = ["workload": ["manifests": .array(manifests)]]
    if let executor { spec["executor"] = executor }
    return ["metadata": ["name": .string(name)], "spec": .object(spec)]
  }

  let cm: JSONValue = [
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x", "namespace": "default"],
  ]

  @Test func manifestsAreChecked() throws {
    let registry = try admissionRegistry()
    func create(_ body: JSONValue) -> APIError? {
      failure { _ = try registry.create(mw, namespace: "default", body: body) }
    }
    var e = create(work([]))
    #expect(e?.code == 400 && e?.reason == "BadRequest")
    #expect(e?.message == workValidator + "manifests should not be empty")
    e = create(
      work([["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["namespace": "default"]]]))
    #expect(e?.message == workValidator + "name must be set in manifest")
    e = create(
      work([
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "generateName": "a-"]]
      ]))
    #expect(e?.message == workValidator + "generateName must not be set in manifest")
    #expect(create(work([cm])) == nil)
    // Emptying the manifests later is refused too.
    e = failure {
      _ = try registry.patch(
        mw, namespace: "default", name: "w", merge(["spec": ["workload": ["manifests": []]]]))
    }
    #expect(e?.message == workValidator + "manifests should not be empty")
  }

  @Test func totalSizeIsLimited() throws {
    let registry = try admissionRegistry()
    func manifest(_ size: Int, _ name: String) -> JSONValue {
      [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)],
        "data": ["k": .string(String(repeating: "x", count: size))],
      ]
    }
    let big = manifest(300_000, "a")
    let bigSize = big.serialized().count
    #expect(ManifestWorkValidation.size(big) == bigSize + 1 + 3)  // 3-byte varint
    #expect(ManifestWorkValidation.size(cm) == cm.serialized().count + 2)
    let total = ManifestWorkValidation.size(big) * 2
    let e = failure {
      _ = try registry.create(mw, namespace: "default", body: work([big, manifest(300_000, "b")]))
    }
    #expect(e?.code == 400)
    #expect(
      e?.message == workValidator
        + "the size of manifests is \(total) bytes which exceeds the 512000 limit")
    // Right at the limit passes.
    let fixed = ManifestWorkValidation.size(manifest(0, "a")) - 1 - 1
    let exact = manifest(512_000 - fixed - 1 - 3, "a")
    #expect(ManifestWorkValidation.size(exact) == 512_000)
    #expect(
      failure {
        _ = try registry.create(mw, namespace: "default", body: work([exact], name: "edge"))
      } == nil)
  }

  @Test func executorNeedsExecuteAs() throws {
    let registry = try admissionRegistry()
    registry.authorizer.install(
      DenyingAuthorizer { $0.verb == "execute-as" && $0.user.name == "bob" })
    let executor: JSONValue = [
      "subject": ["type": "ServiceAccount", "serviceAccount": ["namespace": "ns1", "name": "sa1"]]
    ]
    var e = failure {
      _ = try registry.create(
        mw, namespace: "default", body: work([cm], executor: executor), options: userOptions("bob"))
    }
    #expect(e?.code == 400)
    #expect(
      e?.message == workValidator
        + "user bob cannot manipulate the Manifestwork with executor ns1/sa1 in namespace default")
    _ = try registry.create(
      mw, namespace: "default", body: work([cm], executor: executor), options: userOptions("alice"))
    // bob may change other fields while the executor stays the same.
    _ = try registry.patch(
      mw, namespace: "default", name: "w", options: userOptions("bob"),
      merge(["metadata": ["labels": ["a": "b"]]]))
    e = failure {
      _ = try registry.create(
        mw, namespace: "default",
        body: work([cm], name: "w2", executor: ["subject": ["type": "ServiceAccount"]]))
    }
    #expect(e?.message == workValidator + "executor service account can not be nil")
  }
}
