/// What a URL addresses, parsed the way kube-apiserver's `RequestInfoFactory` does.
struct RequestInfo: Equatable {
  enum Verb: String {
    case get, list, watch, create, update, patch, delete, deletecollection
  }

  /// "" for the core group (`/api/v1`).
  var group: String
  var version: String
  var namespace: String?
  var resource: String
  var name: String?
  var subresource: String?

  /// Parses `/api/v1/...` and `/apis/G/V/...` resource paths. Returns nil for anything that is
  /// not a resource path (discovery documents are routed before this).
  static func parse(path: String) -> RequestInfo? {
    // Split the UTF-8 bytes at `/` (empty segments dropped): no grapheme breaking and no
    // generic collection machinery, as this runs for every request.
    var path = path
    var parts: [String] = path.withUTF8 { bytes in
      var segments: [String] = []
      segments.reserveCapacity(8)
      var start = 0
      for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
        if i > start {
          segments.append(
            String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
        }
        start = i + 1
      }
      return segments
    }
    guard let first = parts.first else { return nil }
    let group: String
    let version: String
    if first == "api" {
      guard parts.count >= 3 else { return nil }
      group = ""
      version = parts[1]
      parts.removeFirst(2)
    } else if first == "apis" {
      guard parts.count >= 4 else { return nil }
      group = parts[1]
      version = parts[2]
      parts.removeFirst(3)
    } else {
      return nil
    }
    var namespace: String?
    if parts[0] == "namespaces" && parts.count > 1 {
      namespace = parts[1]
      if parts.count > 2 && parts[2] != "status" && parts[2] != "finalize" {
        parts.removeFirst(2)
      }
    }
    var info = RequestInfo(group: group, version: version, namespace: namespace, resource: parts[0])
    if parts.count > 1 { info.name = parts[1] }
    if parts.count > 2 { info.subresource = parts[2] }
    if parts.count > 3 { return nil }
    if info.resource == "namespaces" && namespace != nil {
      // `/api/v1/namespaces/x[/status]` addresses the Namespace x itself.
      info.name = namespace
      info.namespace = nil
    }
    return info
  }
}
