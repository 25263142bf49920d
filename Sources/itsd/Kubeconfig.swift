import ArgumentParser
import Foundation
import Yams

/// What `itsd simulate --kubeconfig` takes from a kubeconfig: the current context's cluster
/// server and its user's bearer token (`token`, or `tokenFile` read once). Client certificates
/// are refused until the simulator has a TLS client transport.
struct Kubeconfig {
  var server: String
  var token: String?

  static func load(path: String) throws -> Kubeconfig {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      throw ValidationError("cannot read --kubeconfig \(path): \(error.localizedDescription)")
    }
    guard let doc = try Yams.load(yaml: text) as? [String: Any] else {
      throw ValidationError("--kubeconfig \(path) is not a kubeconfig")
    }
    let contexts = doc["contexts"] as? [[String: Any]] ?? []
    let currentName = doc["current-context"] as? String
    let context =
      (contexts.first { ($0["name"] as? String) == currentName } ?? contexts.first)?["context"]
      as? [String: Any]
    let clusterName = context?["cluster"] as? String
    let userName = context?["user"] as? String
    let clusters = doc["clusters"] as? [[String: Any]] ?? []
    let cluster = clusters.first { ($0["name"] as? String) == clusterName } ?? clusters.first
    guard let server = (cluster?["cluster"] as? [String: Any])?["server"] as? String else {
      throw ValidationError("--kubeconfig \(path) names no cluster server")
    }
    let users = doc["users"] as? [[String: Any]] ?? []
    let user = users.first { ($0["name"] as? String) == userName }?["user"] as? [String: Any]
    if user?["client-certificate"] != nil || user?["client-certificate-data"] != nil {
      throw ValidationError(
        "--kubeconfig \(path): client certificates need TLS, which itsd simulate does not speak yet; use a token"
      )
    }
    var token = user?["token"] as? String
    if token == nil, let file = user?["tokenFile"] as? String {
      do {
        token = try String(contentsOfFile: file, encoding: .utf8)
          .trimmingCharacters(in: " \t\r\n")
      } catch {
        throw ValidationError("cannot read tokenFile \(file): \(error.localizedDescription)")
      }
    }
    return Kubeconfig(server: server, token: token)
  }
}
