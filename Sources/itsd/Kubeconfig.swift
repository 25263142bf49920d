import ArgumentParser
import Certificates
import Foundation
import KubeClient
import Yams

/// What `itsd simulate --kubeconfig` takes from a kubeconfig: the current context's cluster
/// server, its CA (`certificate-authority[-data]`) for https, and its user's credentials: a
/// bearer token (`token`, or `tokenFile` read once) and/or a client certificate and key
/// (`client-certificate[-data]`, `client-key[-data]`).
struct Kubeconfig {
  var server: String
  var token: String?
  /// The TLS client for an https server (nil for http).
  var transport: ClientTransportFactory?

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
    var transport: ClientTransportFactory?
    if server.hasPrefix("https://") {
      transport = try tlsClient(
        cluster: cluster?["cluster"] as? [String: Any] ?? [:], user: user ?? [:], path: path)
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
    return Kubeconfig(server: server, token: token, transport: transport)
  }

  /// A TLS client context from the cluster's CA and the user's client certificate, if any.
  private static func tlsClient(cluster: [String: Any], user: [String: Any], path: String) throws
    -> ClientTransportFactory
  {
    if cluster["insecure-skip-tls-verify"] as? Bool == true {
      throw ValidationError("--kubeconfig \(path): insecure-skip-tls-verify is not supported")
    }
    guard let caPEM = try pem(cluster, "certificate-authority", path) else {
      throw ValidationError(
        "--kubeconfig \(path): an https server needs certificate-authority(-data)")
    }
    do {
      let trusted = try Certificate.bundle(pem: caPEM)
      var chain: [Certificate] = []
      var key: PrivateKey?
      if let certPEM = try pem(user, "client-certificate", path) {
        guard let keyPEM = try pem(user, "client-key", path) else {
          throw ValidationError("--kubeconfig \(path): client-certificate without client-key")
        }
        chain = try Certificate.bundle(pem: certPEM)
        key = try PrivateKey(pem: keyPEM)
      }
      return TLSClientTransportFactory(
        context: try TLSContext.client(trusted: trusted, certificate: chain, key: key))
    } catch let error as CertificateError {
      throw ValidationError("--kubeconfig \(path): \(error.description)")
    }
  }

  /// `<name>-data` (base64 PEM) or `<name>` (a file, relative to the kubeconfig's directory).
  private static func pem(_ object: [String: Any], _ name: String, _ path: String) throws
    -> String?
  {
    if let data = object[name + "-data"] as? String {
      guard let bytes = Data(base64Encoded: data), let text = String(data: bytes, encoding: .utf8)
      else { throw ValidationError("--kubeconfig \(path): \(name)-data is not base64 PEM") }
      return text
    }
    guard var file = object[name] as? String else { return nil }
    if !file.hasPrefix("/") {
      file = (path as NSString).deletingLastPathComponent + "/" + file
    }
    do {
      return try String(contentsOfFile: file, encoding: .utf8)
    } catch {
      throw ValidationError("cannot read \(name) \(file): \(error.localizedDescription)")
    }
  }
}
