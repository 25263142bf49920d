import APIMachinery
import HTTPServer
import JSON
import Store
import Yams

/// Building HTTP responses from API results: cached object bytes written as they are, lists
/// assembled from cached item bytes, errors as `Status`.
enum Responses {
  static let json = "application/json"

  /// `Warning: 299 - "<text>"` headers (quotes and backslashes escaped), one per warning.
  static func warningHeaders(_ warnings: [String]) -> [(String, String)] {
    warnings.map { text in
      var escaped = ""
      for c in text {
        if c == "\"" || c == "\\" { escaped.append("\\") }
        escaped.append(c)
      }
      return ("Warning", "299 - \"\(escaped)\"")
    }
  }

  static func error(_ e: APIError) -> HTTPResponse {
    HTTPResponse(status: e.code, contentType: json, body: e.body, headers: e.headers)
  }

  /// An object response in the negotiated representation.
  static func object(
    _ bytes: [UInt8], status: Int = 200, output: Negotiation.Output,
    headers: [(String, String)] = []
  )
    -> HTTPResponse
  {
    if output == .yaml, let yaml = YAMLOutput.convert(bytes) {
      return HTTPResponse(
        status: status, contentType: "application/yaml", body: yaml, headers: headers)
    }
    return HTTPResponse(status: status, contentType: json, body: bytes, headers: headers)
  }

  /// `{"kind":"<Kind>List","apiVersion":…,"metadata":{…},"items":[<cached bytes>,…]}` as
  /// segments: the envelope, then each item's cached bytes as they are (shared, never copied
  /// or re-serialized), separated by one shared `,`.
  static func listParts(_ r: ResourceDefinition, _ result: ListResult) -> [[UInt8]] {
    var prefix: [UInt8] = []
    prefix.reserveCapacity(160)
    prefix.append(contentsOf: Array("{\"kind\":".utf8))
    JSONWriter.appendQuoted(r.listKind, to: &prefix)
    prefix.append(contentsOf: Array(",\"apiVersion\":".utf8))
    JSONWriter.appendQuoted(r.apiVersion, to: &prefix)
    prefix.append(
      contentsOf: Array(",\"metadata\":{\"resourceVersion\":\"\(result.revision)\"".utf8))
    if let token = result.continueToken {
      prefix.append(contentsOf: Array(",\"continue\":".utf8))
      JSONWriter.appendQuoted(token, to: &prefix)
      if let remaining = result.remainingItemCount {
        prefix.append(contentsOf: Array(",\"remainingItemCount\":\(remaining)".utf8))
      }
    }
    prefix.append(contentsOf: Array("},\"items\":[".utf8))
    var parts: [[UInt8]] = []
    parts.reserveCapacity(2 * result.items.count + 2)
    parts.append(prefix)
    for (i, item) in result.items.enumerated() {
      if i > 0 { parts.append(comma) }
      parts.append(item.bytes)
    }
    parts.append(listEnd)
    return parts
  }

  private static let comma: [UInt8] = [UInt8(ascii: ",")]
  private static let listEnd = Array("]}".utf8)

  /// The list document in one array (`listParts` joined).
  static func list(_ r: ResourceDefinition, _ result: ListResult) -> [UInt8] {
    HTTPResponse.Body.join(listParts(r, result))
  }

  /// A list response in the negotiated representation: JSON as segments, YAML converted.
  static func list(_ r: ResourceDefinition, _ result: ListResult, output: Negotiation.Output)
    -> HTTPResponse
  {
    if output == .yaml { return object(list(r, result), output: output) }
    return HTTPResponse(status: 200, contentType: json, parts: listParts(r, result))
  }

  /// A list of plain values (deletecollection's answer).
  static func list(_ r: ResourceDefinition, items: [JSONValue]) -> [UInt8] {
    let list: JSONValue = [
      "kind": .string(r.listKind), "apiVersion": .string(r.apiVersion), "metadata": [:],
      "items": .array(items),
    ]
    return list.serialized()
  }

  /// The `Status` Success kube-apiserver answers for an immediate delete.
  static func deleteSuccess(_ r: ResourceDefinition, _ object: StoredObject) -> [UInt8] {
    var details = JSONObject()
    details["name"] = .string(object.name)
    if !r.group.isEmpty { details["group"] = .string(r.group) }
    details["kind"] = .string(r.plural)
    if let uid = object.uid { details["uid"] = .string(uid) }
    let status: JSONValue = [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
      "details": .object(details),
    ]
    return status.serialized()
  }
}

/// JSON to YAML for `Accept: application/yaml` (mapping order kept).
enum YAMLOutput {
  static func convert(_ bytes: [UInt8]) -> [UInt8]? {
    guard let value = try? JSONParser.parse(bytes),
      let text = try? Yams.serialize(node: node(value))
    else { return nil }
    return Array(text.utf8)
  }

  static func node(_ value: JSONValue) -> Node {
    switch value {
    case .null: return Node("null", Tag(.null))
    case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
    case .int(let i): return Node(String(i), Tag(.int))
    case .double(let d): return Node(String(d), Tag(.float))
    case .string(let s): return Node(s, Tag(.str))
    case .array(let items): return Node(items.map(node))
    case .object(let o): return Node(o.members.map { (Node($0.key), node($0.value)) })
    }
  }
}
