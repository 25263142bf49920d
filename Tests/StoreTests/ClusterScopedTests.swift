import JSON
import Testing

@testable import Store

/// Conformance for cluster-scoped resources (namespace ""), e.g. ManagedClusters.
@Suite("Conformance: cluster-scoped")
struct ClusterScopedTests {
  func cluster(_ name: String, _ app: String = "a") -> JSONValue {
    .object(
      JSONObject([
        ("apiVersion", .string("cluster.open-cluster-management.io/v1")),
        ("kind", .string("ManagedCluster")),
        (
          "metadata",
          .object(
            JSONObject([
              ("name", .string(name)), ("labels", .object(JSONObject([("app", .string(app))]))),
            ]))
        ),
      ]))
  }

  func key(_ name: String) -> ObjectKey { ObjectKey(resource: clusters, namespace: "", name: name) }

  @Test(arguments: BackendKind.allCases)
  func listPaginateAndWatch(_ kind: BackendKind) throws {
    let store = kind.store()
    let w = store.watch(clusters, from: .now)
    for n in ["c3", "c1", "c2", "c10"] { try store.create(key(n), cluster(n)) }
    let all = try store.list(clusters)
    #expect(all.items.map(\.name) == ["c1", "c10", "c2", "c3"])
    // Namespace "" and nil mean the same collection for a cluster-scoped resource.
    #expect(try store.list(clusters, namespace: "").items.map(\.name) == all.items.map(\.name))
    let first = try store.list(clusters, options: ListOptions(limit: 3))
    let token = try #require(first.continueToken)
    #expect(try ContinueToken.decode(token).start == "c2\u{0}")
    try store.delete(key("c3"))
    let rest = try store.list(clusters, options: ListOptions(limit: 3, continueToken: token))
    #expect(rest.items.map(\.name) == ["c3"])  // as of the first page's revision
    #expect(rest.revision == first.revision)
    #expect(w.drain().frames.map(\.type) == [.added, .added, .added, .added, .deleted])
    let scoped = store.watch(clusters, namespace: "", from: .initialState)
    #expect(scoped.drain().frames.map { $0.object!.name } == ["c1", "c10", "c2"])
  }
}
