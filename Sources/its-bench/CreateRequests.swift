import HTTP1

/// The ConfigMap bodies and `POST …/configmaps` requests of the create scenarios, written as
/// bytes into a buffer the caller reuses: a load generator shares the cores with the server it
/// measures, so building each request through string interpolation (~70k instructions, more
/// than a quarter of what the server spends on the create) would slow the server down.
///
/// Invariant: request `i` creates ConfigMap `cm-<i>` in `namespaces[i % namespaces.count]`
/// with the body `ConfigMapBody.bytes(name: "cm-<i>", variant: i)`.
struct CreateRequests: Sendable {
  /// Per namespace: the request line and every header up to the Content-Length value.
  private let heads: [[UInt8]]

  init(namespaces: [String], authority: String) {
    heads = namespaces.map { ns in
      Array(
        ("POST /api/v1/namespaces/\(ns)/configmaps HTTP/1.1\r\nHost: \(authority)\r\n"
          + "Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: ").utf8)
    }
  }

  private static let namePrefix = Array("cm-".utf8)

  /// Replaces `out`'s contents with request `i` (its storage is kept).
  func write(_ i: Int, into out: inout [UInt8]) {
    out.removeAll(keepingCapacity: true)
    let head = heads[i % heads.count]
    out.append(contentsOf: head)
    let bodyStart = out.count
    ConfigMapBody.append(to: &out, variant: i) { name in
      name.append(contentsOf: Self.namePrefix)
      ResponseEncoder.appendDecimal(i, into: &name)
    }
    // The length is known once the body is written: the head's end goes in before it.
    var length: [UInt8] = []
    length.reserveCapacity(24)
    ResponseEncoder.appendDecimal(out.count - bodyStart, into: &length)
    length.append(contentsOf: "\r\n\r\n".utf8)
    out.insert(contentsOf: length, at: bodyStart)
  }
}

/// A ConfigMap of about 1 KiB on the wire (8 data keys of ~90 B, two labels) plus `extra`
/// data keys; `variant` changes the values.
enum ConfigMapBody {
  static func bytes(name: String, variant: Int, extra: [(String, String)] = []) -> [UInt8] {
    var out: [UInt8] = []
    append(to: &out, variant: variant, extra: extra) { $0.append(contentsOf: name.utf8) }
    return out
  }

  /// Appends the body; `name` appends the object's name (not escaped: the scenarios' names
  /// are DNS labels).
  static func append(
    to out: inout [UInt8], variant: Int, extra: [(String, String)] = [],
    name: (inout [UInt8]) -> Void
  ) {
    out.reserveCapacity(out.count + 1100)
    out.append(contentsOf: start)
    name(&out)
    out.append(contentsOf: afterName)
    ResponseEncoder.appendDecimal(variant % 4, into: &out)
    out.append(contentsOf: beforeData)
    for (k, v) in extra {
      out.append(UInt8(ascii: "\""))
      out.append(contentsOf: k.utf8)
      out.append(contentsOf: #"":""#.utf8)
      out.append(contentsOf: v.utf8)
      out.append(contentsOf: #"","#.utf8)
    }
    var digits: [UInt8] = []
    ResponseEncoder.appendDecimal(variant, into: &digits)
    for key in keys {
      out.append(contentsOf: key)
      out.append(contentsOf: digits)
      out.append(contentsOf: valueEnd)
    }
    out.append(contentsOf: end)
  }

  private static let start = Array(
    #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":""#.utf8)
  private static let afterName = Array(#"","labels":{"app":"bench","tier":"t"#.utf8)
  private static let beforeData = Array(#""}},"data":{"#.utf8)
  /// The 8 data keys up to the variant in their value (a comma before all but the first).
  private static let keys: [[UInt8]] = (0..<8).map {
    Array((($0 > 0 ? "," : "") + #""key-\#($0).properties":"value-\#($0)-"#).utf8)
  }
  private static let valueEnd = Array(("-" + String(repeating: "abcdefghij", count: 8) + "\"").utf8)
  private static let end = Array("}}".utf8)
}
