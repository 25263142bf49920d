import HTTP1
import HTTPServer
import Testing

@testable import APIServer

private func get(_ path: String, method: String = "GET") -> HTTPResponse {
  let head = HTTPRequestHead(
    method: method, target: path, path: path, rawQuery: "", query: [], version: .http1_1,
    headers: HTTPHeaders([("Host", "x")]), keepAlive: true, expectsContinue: false)
  return APIHandler().handle(
    HTTPRequest(head: head, body: []), context: RequestContext(remoteAddress: "t", loopIndex: 0))
}

private func bodyText(_ r: HTTPResponse) -> String {
  guard case .bytes(let b) = r.body else { return "<not bytes>" }
  return String(decoding: b, as: UTF8.self)
}

@Test(arguments: ["/healthz", "/livez", "/readyz"])
func healthEndpointsAnswerOK(path: String) {
  let r = get(path)
  #expect(r.status == 200)
  #expect(bodyText(r) == "ok")
}

@Test func versionReportsKubernetes132() {
  let r = get("/version")
  #expect(r.status == 200)
  let text = bodyText(r)
  #expect(text.contains("\"major\": \"1\""))
  #expect(text.contains("\"minor\": \"32\""))
  #expect(text.contains("\"gitVersion\": \"v1.32.0-its."))
  #expect(r.headers.contains { $0.0 == "Content-Type" && $0.1 == "application/json" })
}

@Test func unknownPathIsKubernetesNotFound() {
  let r = get("/apis/nope")
  #expect(r.status == 404)
  #expect(
    bodyText(r)
      == "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"details\":{},\"code\":404}\n"
  )
}

@Test func writesToVersionAreNotAllowed() {
  let r = get("/version", method: "POST")
  #expect(r.status == 405)
  #expect(bodyText(r).contains("\"reason\":\"MethodNotAllowed\""))
}
