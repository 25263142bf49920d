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

  /// `{"kind":"<Kind>List","apiVersion":…,"metadata":{…},"items":[<cached bytes>,…]}`: item
  /// bytes are copied once into the response and never re-serialized.
  static func list(_ r: ResourceDefinition, _ result: ListResult) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(result.items.reduce(160) { $0 + $1.bytes.count + 1 })
    out.append(contentsOf: Array("{\"kind\":".utf8))
    JSONWriter.appendQuoted(r.listKind, to: &out)
    out.append(contentsOf: Array(",\"apiVersion\":".utf8))
    JSONWriter.appendQuoted(r.apiVersion, to: &out)
    out.append(contentsOf: Array(",\"metadata\":{\"resourceVersion\":\"\(result.revision)\"".utf8))
    if let token = result.continueToken {
      out.append(contentsOf: Array(",\"continue\":".utf8))
      JSONWriter.appendQuoted(token, to: &out)
      if let remaining = result.remainingItemCount {
        out.append(contentsOf: Array(",\"remainingItemCount\":\(remaining)".utf8))
      }
    }
    out.append(contentsOf: Array("},\"items\":[".utf8))
    for (i, item) in result.items.enumerated() {
      if i > 0 { out.append(UInt8(ascii: ",")) }
      out.append(contentsOf: item.bytes)
    }
    out.append(contentsOf: Array("]}".utf8))
    return out
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
