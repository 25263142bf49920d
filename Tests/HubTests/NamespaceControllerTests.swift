import APIMachinery
import Dispatch
import Glibc
import JSON
import Store
import Testing

@testable import Hub

/// Polls `condition` for up to `seconds` (controllers are asynchronous).
func eventually(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
  let deadline = DispatchTime.now() + seconds
  while DispatchTime.now() < deadline {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}

func makeRegistry() throws -> Registry {
  let registry = Registry(store: Store(), catalog: Catalog())
  try Bootstrap.seed(registry)
  return registry
}

@Suite struct NamespaceControllerTests {
  @Test func terminatingNamespaceIsEmptiedAndRemoved() throws {
    let registry = try makeRegistry()
    let controller = NamespaceController(registry: registry)
    controller.start()
    defer { controller.stop() }
    let ns = BuiltInResources.namespace
    let cm = BuiltInResources.configMap
    _ = try registry.create(ns, namespace: "", body: ["metadata": ["name": "gone"]])
    _ = try registry.create(cm, namespace: "gone", body: ["metadata": ["name": "a"]])
    _ = try registry.create(
      OCMResources.manifestWork, namespace: "gone", body: ["metadata": ["name": "w"], "spec": [:]])
    _ = try registry.delete(ns, namespace: "", name: "gone")
    #expect(eventually { (try? registry.get(ns, namespace: "", name: "gone")) == nil })
    #expect(try registry.list(cm, namespace: "gone").items.isEmpty)
    #expect(try registry.list(OCMResources.manifestWork, namespace: "gone").items.isEmpty)
  }

  @Test func finalizersKeepTheNamespaceTerminatingUntilRemoved() throws {
    let registry = try makeRegistry()
    let controller = NamespaceController(registry: registry)
    controller.start()
    defer { controller.stop() }
    let ns = BuiltInResources.namespace
    let cm = BuiltInResources.configMap
    _ = try registry.create(ns, namespace: "held", body: ["metadata": ["name": "held"]])
    _ = try registry.create(
      cm, namespace: "held", body: ["metadata": ["name": "a", "finalizers": ["example.com/hold"]]])
    _ = try registry.delete(ns, namespace: "", name: "held")
    #expect(
      eventually {
        let status = try? registry.get(ns, namespace: "", name: "held").object["status"]
        return status?["conditions"]?[1]?["type"] == "NamespaceFinalizersRemaining"
      })
    let item = try registry.get(cm, namespace: "held", name: "a")
    #expect(item.isDeleting)
    _ = try registry.patch(cm, namespace: "held", name: "a") { current throws(APIError) in
      Patches.mergePatch(current, ["metadata": ["finalizers": .null]])
    }
    #expect(eventually { (try? registry.get(ns, namespace: "", name: "held")) == nil })
  }

  @Test func newContentInATerminatingNamespaceIsForbidden() throws {
    let registry = try makeRegistry()
    let ns = BuiltInResources.namespace
    let cm = BuiltInResources.configMap
    _ = try registry.create(ns, namespace: "", body: ["metadata": ["name": "closing"]])
    _ = try registry.delete(ns, namespace: "", name: "closing")
    #expect(throws: APIError.self) {
      _ = try registry.create(cm, namespace: "closing", body: ["metadata": ["name": "late"]])
    }
    do {
      _ = try registry.create(cm, namespace: "closing", body: ["metadata": ["name": "late"]])
    } catch {
      #expect(error.code == 403)
      #expect(
        error.message
          == "configmaps \"late\" is forbidden: unable to create new content in namespace closing because it is being terminated"
      )
    }
  }
}
