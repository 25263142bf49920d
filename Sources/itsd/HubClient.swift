import JSON
import KubeClient

/// A blocking JSON client for the few calls the admin commands make (`itsd accept`), over
/// the non-blocking `KubeClient`: one request at a time, answers parsed, failures turned into
/// the server's `Status` message.
struct HubClient {
  /// A failed call: the `Status` message (or transport error) and the HTTP code (0 when none).
  struct Failure: Error, CustomStringConvertible {
    var code: Int
    var description: String
  }

  let client: KubeClient
  /// `Authorization` header value from the kubeconfig (`Bearer <token>`), if any.
  let authorization: String?

  /// `transport`: TLS for an https server (from the kubeconfig); nil for plain http.
  init(server: String, token: String?, transport: ClientTransportFactory?) throws {
    client = try KubeClient(
      url: try ClientURL(server), loopCount: 1, connectionsPerLoop: 2,
      requestTimeoutSeconds: 30, transport: transport, userAgent: "itsd-accept")
    authorization = token.map { "Bearer \($0)" }
  }

  func shutdown() { client.shutdown() }

  func get(_ path: String) throws(Failure) -> JSONValue { try call("GET", path) }

  func put(_ path: String, _ body: JSONValue) throws(Failure) -> JSONValue {
    try call("PUT", path, body: body.serialized())
  }

  func mergePatch(_ path: String, _ body: JSONValue) throws(Failure) -> JSONValue {
    try call(
      "PATCH", path, body: body.serialized(), contentType: "application/merge-patch+json")
  }

  private func call(
    _ method: String, _ path: String, body: [UInt8]? = nil,
    contentType: String = "application/json"
  ) throws(Failure) -> JSONValue {
    var headers: [(String, String)] = []
    if let authorization { headers.append(("Authorization", authorization)) }
    let request = ClientRequest(
      method, path, body: body, contentType: contentType, headers: headers)
    let response: ClientResponse
    switch client.sendAndWait(request) {
    case .success(let r): response = r
    case .failure(let error): throw Failure(code: 0, description: "\(error)")
    }
    let value = try? JSONParser.parse(response.body)
    guard (200..<300).contains(response.status) else {
      let message = value?["message"]?.stringValue ?? response.text
      throw Failure(code: response.status, description: message)
    }
    guard let value else {
      throw Failure(code: response.status, description: "the server sent a body that is not JSON")
    }
    return value
  }
}

/// A usage or configuration problem of an admin command (printed, exit code 1).
struct HubClientError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
