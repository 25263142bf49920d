import APIMachinery
import Dispatch
import HTTP1
import HTTPServer
import Observability
import Store

/// `GET /metrics`: the registry rendered in Prometheus text format. Rendering runs on a
/// background queue (collectors may walk the store), never on the event loop.
struct MetricsEndpoint: Sendable {
  let registry: MetricsRegistry

  func handle(_ request: HTTPRequest) -> HTTPResponse {
    let method = request.head.method
    guard method == "GET" || method == "HEAD" else {
      var e = APIError(
        code: 405, reason: "MethodNotAllowed",
        message: "the server does not allow this method on the requested resource")
      e.headers = [("Allow", "GET, HEAD")]
      return Responses.error(e)
    }
    let registry = self.registry
    return HTTPResponse(
      status: 200,
      body: .deferred { responder in
        DispatchQueue.global().async {
          responder.respond(
            HTTPResponse(
              status: 200, contentType: PrometheusText.contentType, body: registry.render()))
        }
      })
  }
}

/// Series about the store: `apiserver_storage_objects` (objects per resource, counted at
/// scrape: O(objects) per scrape, off the event loop) and `its_store_current_revision` (the
/// store's newest revision: what an etcd-backed kube-apiserver exposes as
/// `etcd_current_revision`, named for the embedded store).
public enum StoreMetrics {
  public static func register(in metrics: MetricsRegistry, registry: Registry) {
    let store = registry.store
    let catalog = registry.catalog
    metrics.register {
      var objects = MetricFamily(
        name: "apiserver_storage_objects",
        help: "Number of stored objects at the time of last check split by kind.", type: .gauge)
      var seen = Set<ResourceKey>()
      var counts: [(String, Int)] = []
      for d in catalog.snapshot.definitions where seen.insert(d.resourceKey).inserted {
        let n = (try? store.list(d.resourceKey).items.count) ?? 0
        counts.append((d.resourceKey.description, n))
      }
      for (resource, n) in counts.sorted(by: { $0.0 < $1.0 }) {
        objects.samples.append(MetricSample(labels: [("resource", resource)], value: Double(n)))
      }
      return [
        objects,
        .single(
          "its_store_current_revision",
          help: "The store's newest revision (what etcd_current_revision is for etcd).",
          Double(store.currentRevision)),
      ]
    }
  }
}
