import APIMachinery
import HTTP1
import HTTPServer
import JSON
import Store
import Testing

@testable import APIServer

private let handler = APIHandler(registry: Registry(store: Store(), catalog: Catalog()))

private func request(
  _ method: String, _ target: String, body: String = "", headers: [(String, String)] = []
)
  -> HTTPResponse
{
  let parts = target.split(separator: "?", maxSplits: 1)
  let path = String(parts[0])
  let rawQuery = parts.count > 1 ? String(parts[1]) : ""
  let query = rawQuery.split(separator: "&").map { item -> (name: String, value: String) in
    let kv = item.split(separator: "=", maxSplits: 1)
    return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
  }
  let head = HTTPRequestHead(
    method: method, target: target, path: path, rawQuery: rawQuery, query: query, version: .http1_1,
    headers: HTTPHeaders([("Host", "x")] + headers), keepAlive: true, expectsContinue: false)
  return handler.handle(
    HTTPRequest(head: head, body: Array(body.utf8)),
    context: RequestContext(remoteAddress: "t", loopIndex: 0))
}

private func text(_ r: HTTPResponse) -> String {
  guard let b = r.body.completeBytes else { return "<not bytes>" }
  return String(decoding: b, as: UTF8.self)
}

private func json(_ r: HTTPResponse) throws -> JSONValue {
  guard let b = r.body.completeBytes else { throw APIError.badRequest("not bytes") }
  return try JSONParser.parse(b)
}

@Test(arguments: ["/healthz", "/livez", "/readyz"])
func healthEndpointsAnswerOK(path: String) {
  let r = request("GET", path)
  #expect(r.status == 200)
  #expect(text(r) == "ok")
}

@Test func versionReportsKubernetes132() {
  let r = request("GET", "/version")
  #expect(r.status == 200)
  #expect(text(r).contains("\"minor\": \"32\""))
}

@Test func unknownPathIsKubernetesNotFound() {
  let r = request("GET", "/nope")
  #expect(r.status == 404)
  #expect(
    text(r)
      == "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"details\":{},\"code\":404}\n"
  )
}

@Test func configMapLifecycleThroughTheHandler() throws {
  #expect(request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"h1"}}"#).status == 201)
  let created = request(
    "POST", "/api/v1/namespaces/h1/configmaps", body: #"{"metadata":{"name":"a"},"data":{"k":"v"}}"#
  )
  #expect(created.status == 201)
  let again = request(
    "POST", "/api/v1/namespaces/h1/configmaps", body: #"{"metadata":{"name":"a"}}"#)
  #expect(again.status == 409)
  #expect(try json(again)["message"] == "configmaps \"a\" already exists")
  let got = try json(request("GET", "/api/v1/namespaces/h1/configmaps/a"))
  #expect(got["data"]?["k"] == "v")
  #expect(got["metadata"]?["uid"]?.stringValue?.count == 36)
  let rv = try #require(got["metadata"]?["resourceVersion"]?.stringValue)
  let stale = request(
    "PUT", "/api/v1/namespaces/h1/configmaps/a",
    body: #"{"metadata":{"name":"a","resourceVersion":"1"},"data":{"k":"w"}}"#)
  #expect(stale.status == 409)
  let fresh = request(
    "PUT", "/api/v1/namespaces/h1/configmaps/a",
    body: #"{"metadata":{"name":"a","resourceVersion":"\#(rv)"},"data":{"k":"w"}}"#)
  #expect(fresh.status == 200)
  let list = try json(request("GET", "/api/v1/namespaces/h1/configmaps"))
  #expect(list["kind"] == "ConfigMapList")
  #expect(list["items"]?.arrayValue?.count == 1)
  let deleted = try json(request("DELETE", "/api/v1/namespaces/h1/configmaps/a"))
  #expect(deleted["status"] == "Success")
  #expect(deleted["details"]?["kind"] == "configmaps")
  #expect(request("GET", "/api/v1/namespaces/h1/configmaps/a").status == 404)
}

@Test func createInMissingNamespaceIs404() throws {
  let r = request(
    "POST", "/api/v1/namespaces/nowhere/configmaps", body: #"{"metadata":{"name":"a"}}"#)
  #expect(r.status == 404)
  #expect(try json(r)["message"] == "namespaces \"nowhere\" not found")
}

@Test func strategicMergePatchOnACustomResourceIs415() throws {
  #expect(
    request(
      "POST", "/apis/cluster.open-cluster-management.io/v1/managedclusters",
      body: #"{"metadata":{"name":"c1"}}"#
    ).status == 201)
  let r = request(
    "PATCH", "/apis/cluster.open-cluster-management.io/v1/managedclusters/c1", body: "{}",
    headers: [("Content-Type", "application/strategic-merge-patch+json")])
  #expect(r.status == 415)
  #expect(try json(r)["message"]?.stringValue == PatchHandler.customResourcePatchTypes)
}

@Test func aggregatedDiscoveryIsNegotiatedExactly() throws {
  let v2 = request(
    "GET", "/apis",
    headers: [
      (
        "Accept",
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
      )
    ])
  #expect(
    v2.headers.contains {
      $0.1 == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    })
  let beta = request(
    "GET", "/apis",
    headers: [
      (
        "Accept",
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
      )
    ])
  #expect(try json(beta)["apiVersion"] == "apidiscovery.k8s.io/v2beta1")
  let legacy = request("GET", "/apis", headers: [("Accept", "application/json")])
  #expect(try json(legacy)["kind"] == "APIGroupList")
}
