import APIMachinery
import HTTP1
import JSON

/// Content negotiation: which representation the client accepts, and decoding request bodies
/// by `Content-Type` (missing means JSON, as kube-apiserver takes the first supported type).
enum Negotiation {
  /// What a response should look like.
  enum Output: Equatable {
    case json
    /// `application/json;as=Table;g=meta.k8s.io;v=v1` (kubectl's human output).
    case table
    case yaml
  }

  /// Picks the output from an `Accept` header; nil = nothing acceptable (406).
  static func output(accept: String?, allowTable: Bool = true) -> Output? {
    guard let accept, !accept.isEmpty else { return .json }
    for item in accept.split(separator: ",") {
      let params = item.split(separator: ";").map { $0.trimmingCharacters() }
      guard let type = params.first?.lowercased() else { continue }
      let isTable = params.contains { $0.replacingOccurrences(of: " ", with: "") == "as=Table" }
      switch type {
      case "application/json", "application/*", "*/*":
        if isTable {
          if allowTable { return .table }
          continue
        }
        if params.contains(where: { $0.hasPrefix("as=") }) { continue }
        return .json
      case "application/yaml":
        return .yaml
      case "application/vnd.kubernetes.protobuf",
        "application/vnd.kubernetes.protobuf;stream=watch":
        continue  // we answer protobuf-preferring clients in JSON when they also accept it
      default:
        continue
      }
    }
    return nil
  }

  /// Decodes a create/update body. JSON (or no Content-Type), YAML and protobuf are accepted.
  static func decodeBody(_ request: HTTPRequest) throws(APIError) -> JSONValue {
    let type = mediaType(request.head.headers["Content-Type"])
    switch type {
    case "", "application/json", "*/*":
      return try parseJSON(request.body)
    case "application/yaml":
      return try BodyDecoders.yaml(request.body)
    case "application/vnd.kubernetes.protobuf":
      return try BodyDecoders.protobuf(request.body)
    default:
      throw APIError.unsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"
      )
    }
  }

  /// The bare media type (`application/json` of `application/json; charset=utf-8`), lowercased.
  static func mediaType(_ header: String?) -> String {
    guard let header else { return "" }
    return (header.split(separator: ";").first.map { $0.trimmingCharacters() } ?? "").lowercased()
  }

  static func parseJSON(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
    do {
      return try JSONParser.parse(bytes)
    } catch {
      throw APIError.badRequest(
        "the body of the request could not be decoded as JSON: \(error.message)")
    }
  }
}

extension Substring {
  func trimmingCharacters() -> String {
    var s = self
    while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
    while let l = s.last, l == " " || l == "\t" { s.removeLast() }
    return String(s)
  }
}

extension String {
  func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: Character(target), omittingEmptySubsequences: false).joined(
      separator: replacement)
  }
}
