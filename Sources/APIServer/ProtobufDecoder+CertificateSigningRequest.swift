import APIMachinery
import JSON

/// `certificates.k8s.io/v1` CertificateSigningRequest from protobuf (what `kubectl certificate
/// approve|deny` PUTs to `/approval`; field numbers from k8s.io/api certificates/v1
/// generated.proto).
extension ProtobufDecoder {
  static func certificateSigningRequest(_ object: inout JSONObject, _ r: inout Reader)
    throws(APIError)
  {
    while let (f, v) = try r.next() {
      guard case .bytes(let b) = v else { continue }
      switch f {
      case 1: object["metadata"] = try objectMeta(b)
      case 2: object["spec"] = try csrSpec(b)
      case 3: object["status"] = try csrStatus(b)
      default: continue
      }
    }
  }

  private static func csrSpec(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
    var spec = JSONObject()
    var usages: [JSONValue] = []
    var groups: [JSONValue] = []
    var extra = JSONObject()
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      switch (f, v) {
      case (1, .bytes(let b)): spec["request"] = .string(base64(b))
      case (2, .bytes(let b)) where !b.isEmpty: spec["username"] = .string(string(b))
      case (3, .bytes(let b)) where !b.isEmpty: spec["uid"] = .string(string(b))
      case (4, .bytes(let b)): groups.append(.string(string(b)))
      case (5, .bytes(let b)): usages.append(.string(string(b)))
      case (6, .bytes(let b)):
        let (key, value) = try mapEntry(b)
        var items: [JSONValue] = []
        var itemReader = Reader(value)
        while let (itemField, item) = try itemReader.next() {
          if itemField == 1, case .bytes(let text) = item { items.append(.string(string(text))) }
        }
        extra[key] = .array(items)
      case (7, .bytes(let b)) where !b.isEmpty: spec["signerName"] = .string(string(b))
      case (8, .varint(let n)):
        spec["expirationSeconds"] = .int(Int64(Int32(truncatingIfNeeded: n)))
      default: continue
      }
    }
    if !usages.isEmpty { spec["usages"] = .array(usages) }
    if !groups.isEmpty { spec["groups"] = .array(groups) }
    if !extra.isEmpty { spec["extra"] = .object(extra) }
    return .object(spec)
  }

  private static func csrStatus(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
    var status = JSONObject()
    var conditions: [JSONValue] = []
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      guard case .bytes(let b) = v else { continue }
      if f == 1 { conditions.append(try csrCondition(b)) }
      if f == 2, !b.isEmpty { status["certificate"] = .string(base64(b)) }
    }
    if !conditions.isEmpty { status["conditions"] = .array(conditions) }
    return .object(status)
  }

  private static func csrCondition(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
    var condition = JSONObject()
    let names = [1: "type", 6: "status", 2: "reason", 3: "message"]
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      guard case .bytes(let b) = v else { continue }
      if let name = names[f], !b.isEmpty { condition[name] = .string(string(b)) }
      if f == 4 || f == 5, let seconds = try timeSeconds(b) {
        condition[f == 4 ? "lastUpdateTime" : "lastTransitionTime"] = .string(
          ServerClock.timestamp(epochSeconds: seconds))
      }
    }
    return .object(condition)
  }

  /// meta/v1 `Time` (seconds = 1, nanos = 2); nil for the zero time.
  private static func timeSeconds(_ bytes: ArraySlice<UInt8>) throws(APIError) -> Int64? {
    var seconds: Int64 = 0
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      if f == 1, case .varint(let n) = v { seconds = Int64(bitPattern: n) }
    }
    return seconds == 0 ? nil : seconds
  }
}
