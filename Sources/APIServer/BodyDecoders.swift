import APIMachinery
import JSON
import Yams

/// Request bodies that are not JSON: YAML (`application/yaml`, and server-side apply's
/// `application/apply-patch+yaml`) and Kubernetes protobuf (`application/vnd.kubernetes.protobuf`).
enum BodyDecoders {
  /// YAML to JSON, keeping mapping order; scalars resolved as YAML 1.1 does (as sigs.k8s.io/yaml).
  static func yaml(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
    let text = String(decoding: bytes, as: UTF8.self)
    let node: Node?
    do {
      node = try Yams.compose(yaml: text)
    } catch {
      throw APIError.badRequest("the body of the request could not be decoded as YAML: \(error)")
    }
    guard let node else { return .null }
    return try convert(node, depth: 0)
  }

  private static func convert(_ node: Node, depth: Int) throws(APIError) -> JSONValue {
    guard depth < 512 else { throw APIError.badRequest("the YAML body is nested too deeply") }
    switch node {
    case .scalar:
      switch node.tag.description {
      case Tag.Name.null.rawValue: return .null
      case Tag.Name.bool.rawValue:
        return node.bool.map(JSONValue.bool) ?? .string(node.string ?? "")
      case Tag.Name.int.rawValue:
        if let i = node.int { return .int(Int64(i)) }
        return .string(node.string ?? "")
      case Tag.Name.float.rawValue:
        if let d = node.float, d.isFinite { return .double(d) }
        return .string(node.string ?? "")
      default:
        return .string(node.string ?? "")
      }
    case .sequence(let seq):
      var items: [JSONValue] = []
      for child in seq { items.append(try convert(child, depth: depth + 1)) }
      return .array(items)
    case .mapping(let map):
      var object = JSONObject()
      for (k, v) in map {
        guard let key = k.string else {
          throw APIError.badRequest("YAML mapping keys must be strings")
        }
        object[key] = try convert(v, depth: depth + 1)
      }
      return .object(object)
    }
  }

  /// Kubernetes protobuf (the `k8s\0` envelope) for the kinds kubectl sends that way.
  static func protobuf(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
    try ProtobufDecoder.decode(bytes)
  }
}
