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

  /// Picks the output from an `Accept` header; nil = nothing acceptable (406). The header is
  /// read as bytes (this runs for every request): media ranges split at `,`, parameters at
  /// `;`, ASCII case-insensitive, spaces ignored.
  static func output(accept: String?, allowTable: Bool = true) -> Output? {
    guard var accept, !accept.isEmpty else { return .json }
    return accept.withUTF8 { output(accept: $0, allowTable: allowTable) }
  }

  private static func output(accept: UnsafeBufferPointer<UInt8>, allowTable: Bool) -> Output? {
    // What most clients send, answered without splitting.
    if bytesEqual(accept, "application/json") || bytesEqual(accept, "*/*") { return .json }
    var start = 0
    let n = accept.count
    while start <= n {
      var end = start
      while end < n && accept[end] != UInt8(ascii: ",") { end += 1 }
      if let output = mediaRange(accept, start, end, allowTable: allowTable) { return output }
      start = end + 1
    }
    return nil
  }

  private static func bytesEqual(_ b: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
    guard b.count == literal.utf8CodeUnitCount else { return false }
    for k in 0..<b.count where b[k] != literal.utf8Start[k] { return false }
    return true
  }

  /// The output one media range (`type/subtype;param=value;…`) selects, if any.
  private static func mediaRange(
    _ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, allowTable: Bool
  ) -> Output? {
    // Split at `;` into trimmed parts; the first is the type.
    var parts: [(Int, Int)] = []
    var p = start
    while p <= end {
      var q = p
      while q < end && b[q] != UInt8(ascii: ";") { q += 1 }
      var s = p
      var e = q
      while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
      while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
      parts.append((s, e))
      p = q + 1
    }
    guard let (ts, te) = parts.first else { return nil }
    func equals(_ s: Int, _ e: Int, _ literal: StaticString) -> Bool {
      guard e - s == literal.utf8CodeUnitCount else { return false }
      for k in 0..<(e - s) {
        var c = b[s + k]
        if c >= 65 && c <= 90 { c += 32 }
        if c != literal.utf8Start[k] { return false }
      }
      return true
    }
    let isJSONish =
      equals(ts, te, "application/json") || equals(ts, te, "application/*")
      || equals(ts, te, "*/*")
    if isJSONish {
      var isTable = false
      var hasAs = false
      for (s, e) in parts.dropFirst() {
        // Parameter names and values without spaces (`as = Table` counts as `as=Table`).
        var compact: [UInt8] = []
        for k in s..<e where b[k] != 0x20 { compact.append(b[k]) }
        if compact.starts(with: Array("as=".utf8)) {
          hasAs = true
          if compact == Array("as=Table".utf8) { isTable = true }
        }
      }
      if isTable { return allowTable ? .table : nil }
      return hasAs ? nil : .json
    }
    if equals(ts, te, "application/yaml") { return .yaml }
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
    guard var header else { return "" }
    // Over the bytes (every write runs this): up to `;`, spaces and tabs trimmed, ASCII
    // letters lowered.
    return header.withUTF8 { b in
      var e = 0
      while e < b.count && b[e] != UInt8(ascii: ";") { e += 1 }
      var s = 0
      while s < e && (b[s] == 0x20 || b[s] == 0x09) { s += 1 }
      while e > s && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
      return String(unsafeUninitializedCapacity: e - s) { out in
        for k in s..<e {
          let c = b[k]
          out[k - s] = c >= 65 && c <= 90 ? c + 32 : c
        }
        return e - s
      }
    }
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
