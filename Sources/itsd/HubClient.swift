import Foundation
import JSON
import KubeClient
import Yams

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

  init(server: String, token: String?) throws {
    client = try KubeClient(
      url: try ClientURL(server), loopCount: 1, connectionsPerLoop: 2,
      requestTimeoutSeconds: 30, userAgent: "itsd-accept")
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

  /// The server and bearer token of a kubeconfig's current context.
  static func kubeconfig(path: String) throws -> (server: String, token: String?) {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw HubClientError("cannot read --kubeconfig \(path): \(error.localizedDescription)")
    }
    guard let doc = try Yams.load(yaml: text) as? [String: Any] else {
      throw HubClientError("--kubeconfig \(path) is not a kubeconfig")
    }
    func named(_ key: String, _ name: String?) -> [String: Any]? {
      let items = doc[key] as? [[String: Any]] ?? []
      return items.first { ($0["name"] as? String) == name } ?? items.first
    }
    let context = named("contexts", doc["current-context"] as? String)?["context"] as? [String: Any]
    let cluster = named("clusters", context?["cluster"] as? String)?["cluster"] as? [String: Any]
    guard let server = cluster?["server"] as? String else {
      throw HubClientError("--kubeconfig \(path) names no cluster server")
    }
    let user = named("users", context?["user"] as? String)?["user"] as? [String: Any]
    return (server, user?["token"] as? String)
  }
}

/// A usage or configuration problem of an admin command (printed, exit code 1).
struct HubClientError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
