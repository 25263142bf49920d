import APIMachinery
import HTTP1
import HTTPServer
import JSON
import Synchronization

/// `/openapi/v3` and its per-group-version documents. Built once per catalog snapshot (a CRD
/// change makes a new snapshot) and served from the cache: kubectl fetches them for every
/// `apply`, `create -f`, `replace`, `edit`, `diff` and `explain`. `/openapi/v2` is not served
/// (404): kubectl 1.32 only falls back to it when v3 lacks what it needs.
final class OpenAPI: Sendable {
  /// The documents of one catalog snapshot.
  final class Built: Sendable {
    let snapshot: Catalog.Snapshot
    let root: [UInt8]
    let documents: [String: OpenAPIDocuments.Document]

    init(_ snapshot: Catalog.Snapshot) {
      self.snapshot = snapshot
      let documents = OpenAPIDocuments.build(snapshot)
      root = OpenAPIDocuments.root(documents)
      var byPath: [String: OpenAPIDocuments.Document] = [:]
      for d in documents { byPath[d.path] = d }
      self.documents = byPath
    }
  }

  let catalog: Catalog
  private let cache = Mutex<Built?>(nil)

  init(catalog: Catalog) {
    self.catalog = catalog
  }

  /// The documents for the current catalog (rebuilt when the snapshot changed).
  var built: Built {
    let snapshot = catalog.snapshot
    if let cached = cache.withLock({ $0 }), cached.snapshot === snapshot { return cached }
    let fresh = Built(snapshot)
    let latest = catalog.snapshot
    cache.withLock { current in
      if current?.snapshot !== latest { current = fresh }
    }
    return fresh
  }

  /// Answers `/openapi/...` paths; nil means 404.
  func handle(_ request: HTTPRequest) -> HTTPResponse? {
    let head = request.head
    guard head.method == "GET" || head.method == "HEAD" else { return nil }
    var path = head.path
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    guard path == "/openapi/v3" || path.hasPrefix("/openapi/v3/") else { return nil }
    if !Self.acceptsJSON(head.headers["Accept"]) {
      return Responses.error(
        APIError(
          code: 406, reason: "NotAcceptable",
          message: "only the following media types are accepted: application/json"))
    }
    let built = self.built
    if path == "/openapi/v3" {
      return HTTPResponse(
        status: 200, contentType: "application/json", body: built.root,
        headers: [("Cache-Control", "no-cache, private"), ("Vary", "Accept")])
    }
    let gv = String(path.dropFirst("/openapi/v3/".count))
    guard let document = built.documents[gv] else { return nil }
    let etag = "\"\(document.hash)\""
    if let hash = head.queryValue("hash"), !hash.isEmpty, hash != document.hash {
      // kube-openapi redirects a stale hash to the current document.
      return HTTPResponse(
        status: 301,
        headers: [
          ("Location", "/openapi/v3/\(gv)?hash=\(document.hash)"),
          ("Cache-Control", "no-cache, private"),
        ])
    }
    var headers: [(String, String)] = [("Etag", etag), ("Vary", "Accept")]
    if head.queryValue("hash") == document.hash {
      headers.append(("Cache-Control", "public, immutable"))
    } else {
      headers.append(("Cache-Control", "no-cache, private"))
    }
    if head.headers["If-None-Match"] == etag {
      return HTTPResponse(status: 304, headers: headers)
    }
    return HTTPResponse(
      status: 200, contentType: "application/json", body: document.bytes, headers: headers)
  }

  /// JSON is served when Accept is absent or allows it (the protobuf form is not offered).
  static func acceptsJSON(_ accept: String?) -> Bool {
    guard let accept, !accept.isEmpty else { return true }
    for item in accept.split(separator: ",") {
      let type = item.split(separator: ";").first.map { $0.trimmingCharacters() } ?? ""
      if type == "application/json" || type == "*/*" || type == "application/*" { return true }
    }
    return false
  }
}
