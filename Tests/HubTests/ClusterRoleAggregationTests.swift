import APIMachinery
import JSON
import Store
import Testing

@testable import Hub

/// kube's ClusterRole aggregation: the union of the selected roles' rules, kept up to date.
@Suite struct ClusterRoleAggregationTests {
  let cr = RBACResources.clusterRole

  func role(
    _ name: String, labels: [String: String] = [:], rules: [PolicyRule] = [],
    selectors: [JSONValue]? = nil
  ) -> JSONValue {
    var meta: JSONObject = ["name": .string(name)]
    if !labels.isEmpty {
      var l = JSONObject()
      for (k, v) in labels.sorted(by: { $0.key < $1.key }) { l[k] = .string(v) }
      meta["labels"] = .object(l)
    }
    var root: JSONObject = [
      "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
      "metadata": .object(meta), "rules": .array(rules.map(\.json)),
    ]
    if let selectors { root["aggregationRule"] = ["clusterRoleSelectors": .array(selectors)] }
    return .object(root)
  }

  func matchLabels(_ key: String, _ value: String) -> JSONValue {
    ["matchLabels": [key: .string(value)]]
  }

  func rules(_ r: Registry, _ name: String) -> [PolicyRule]? {
    (try? r.get(cr, namespace: "", name: name)).map { ClusterRoleAggregation.rules(of: $0.object) }
  }

  func stored(_ r: Registry, _ body: JSONValue) throws -> StoredObject {
    _ = try r.create(cr, namespace: "", body: body)
    return try r.get(cr, namespace: "", name: body["metadata"]?["name"]?.stringValue ?? "")
  }

  let getPods = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["pods"])
  let listPods = PolicyRule(verbs: ["list"], apiGroups: [""], resources: ["pods"])
  let getNodes = PolicyRule(verbs: ["get"], apiGroups: [""], resources: ["nodes"])

  @Test func unionFollowsSelectorOrderThenNameAndSkipsRepeatsAndItself() throws {
    let registry = try makeRegistry()
    let roles = [
      try stored(registry, role("b", labels: ["x": "1"], rules: [listPods, getPods])),
      try stored(registry, role("a", labels: ["x": "1"], rules: [getPods])),
      try stored(registry, role("c", labels: ["y": "1"], rules: [getNodes, getPods])),
      try stored(
        registry,
        role("self", labels: ["x": "1"], rules: [getNodes], selectors: [matchLabels("x", "1")])),
    ]
    let selectors = [matchLabels("y", "1"), matchLabels("x", "1")]
    let union = try ClusterRoleAggregation.union(of: selectors, over: roles, excluding: "self")
    #expect(union == [getNodes, getPods, listPods])
    // An empty selector matches every role (LabelSelectorAsSelector), still not itself.
    let everything = try ClusterRoleAggregation.union(
      of: [JSONValue.object(JSONObject())], over: roles, excluding: "self")
    #expect(everything == [getPods, listPods, getNodes])
    #expect(throws: APIError.self) {
      try ClusterRoleAggregation.union(
        of: [["matchExpressions": [["key": "x", "operator": "Bogus"]]]], over: roles,
        excluding: "self")
    }
  }

  @Test func aggregatedRoleFollowsItsSelectedRoles() throws {
    let registry = try makeRegistry()
    let hub = HubControllers(registry: registry)
    hub.start()
    defer { hub.stop() }
    let selector = matchLabels("example.com/aggregate-to-monitoring", "true")
    _ = try stored(registry, role("monitoring", selectors: [selector]))
    let label = ["example.com/aggregate-to-monitoring": "true"]
    _ = try stored(registry, role("pods-reader", labels: label, rules: [getPods]))
    _ = try stored(registry, role("unrelated", rules: [getNodes]))
    #expect(eventually { rules(registry, "monitoring") == [getPods] })

    // A new matching role joins, sorted by name.
    _ = try stored(registry, role("a-nodes", labels: label, rules: [getNodes]))
    #expect(eventually { rules(registry, "monitoring") == [getNodes, getPods] })

    // A change to a selected role is followed.
    _ = try registry.patch(cr, namespace: "", name: "pods-reader") { current throws(APIError) in
      guard case .object(var root) = current else { return current }
      root["rules"] = [getPods.json, listPods.json]
      return .object(root)
    }
    #expect(eventually { rules(registry, "monitoring") == [getNodes, getPods, listPods] })

    // A deleted role leaves; the write is the controller's.
    _ = try registry.delete(cr, namespace: "", name: "a-nodes")
    #expect(eventually { rules(registry, "monitoring") == [getPods, listPods] })
    let managers = (try registry.get(cr, namespace: "", name: "monitoring")).object["metadata"]?[
      "managedFields"]?.arrayValue?.compactMap { $0["manager"]?.stringValue }
    #expect(managers?.contains(ClusterRoleAggregation.fieldManager) == true)

    // Roles without an aggregationRule are never rewritten.
    #expect(rules(registry, "unrelated") == [getNodes])
  }
}
