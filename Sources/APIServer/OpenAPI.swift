import APIMachinery
import HTTP1
import HTTPServer
import JSON

/// `/openapi/v3` and its per-group-version documents (filled in by the OpenAPI work; see docs).
struct OpenAPI {
  let catalog: Catalog

  func handle(_ request: HTTPRequest) -> HTTPResponse? {
    nil
  }
}
