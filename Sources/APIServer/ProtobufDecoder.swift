import APIMachinery
import JSON

/// Decodes the Kubernetes protobuf bodies kubectl sends for `create namespace`, `create
/// configmap`, `create secret` and `auth can-i` (the `k8s\0` envelope around `runtime.Unknown`,
/// field numbers from k8s.io/api's generated.proto) into the JSON objects they stand for.
enum ProtobufDecoder {
  static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]

  static func decode(_ bytes: [UInt8]) throws(APIError) -> JSONValue {
    guard bytes.count >= 4, Array(bytes[0..<4]) == magic else {
      throw APIError.badRequest("the protobuf body does not start with the Kubernetes envelope")
    }
    var unknown = Reader(bytes[4...])
    var apiVersion = ""
    var kind = ""
    var raw: ArraySlice<UInt8> = []
    while let (field, value) = try unknown.next() {
      switch (field, value) {
      case (1, .bytes(let typeMeta)):
        var r = Reader(typeMeta)
        while let (f, v) = try r.next() {
          if f == 1, case .bytes(let b) = v { apiVersion = string(b) }
          if f == 2, case .bytes(let b) = v { kind = string(b) }
        }
      case (2, .bytes(let b)):
        raw = b
      default:
        continue
      }
    }
    var object = JSONObject()
    object["kind"] = .string(kind)
    object["apiVersion"] = .string(apiVersion)
    var r = Reader(raw)
    switch (apiVersion, kind) {
    case ("v1", "Namespace"):
      while let (f, v) = try r.next() {
        guard case .bytes(let b) = v else { continue }
        switch f {
        case 1: object["metadata"] = try objectMeta(b)
        case 2: object["spec"] = try namespaceSpec(b)
        case 3: object["status"] = try stringFields(b, [1: "phase"])
        default: continue
        }
      }
    case ("v1", "ConfigMap"), ("v1", "Secret"):
      let isSecret = kind == "Secret"
      var data = JSONObject()
      var binary = JSONObject()
      var stringData = JSONObject()
      while let (f, v) = try r.next() {
        switch (f, v) {
        case (1, .bytes(let b)): object["metadata"] = try objectMeta(b)
        case (2, .bytes(let b)):
          let (k, value) = try mapEntry(b)
          data[k] = .string(isSecret ? base64(value) : string(value))
        case (3, .bytes(let b)):
          if isSecret {
            object["type"] = .string(string(b))
          } else {
            let (k, value) = try mapEntry(b)
            binary[k] = .string(base64(value))
          }
        case (4, .bytes(let b)) where isSecret:
          let (k, value) = try mapEntry(b)
          stringData[k] = .string(string(value))
        case (4, .varint(let n)) where !isSecret: object["immutable"] = .bool(n != 0)
        case (5, .varint(let n)) where isSecret: object["immutable"] = .bool(n != 0)
        default: continue
        }
      }
      if !data.isEmpty { object["data"] = .object(data) }
      if !binary.isEmpty { object["binaryData"] = .object(binary) }
      if !stringData.isEmpty { object["stringData"] = .object(stringData) }
    case ("authorization.k8s.io/v1", "SelfSubjectAccessReview"),
      ("authorization.k8s.io/v1", "SelfSubjectRulesReview"):
      while let (f, v) = try r.next() {
        guard case .bytes(let b) = v else { continue }
        if f == 1 { object["metadata"] = try objectMeta(b) }
        if f == 2 { object["spec"] = try reviewSpec(b, rules: kind == "SelfSubjectRulesReview") }
      }
    case ("certificates.k8s.io/v1", "CertificateSigningRequest"):
      try certificateSigningRequest(&object, &r)
    case ("authentication.k8s.io/v1", "TokenRequest"):
      while let (f, v) = try r.next() {
        guard case .bytes(let b) = v else { continue }
        if f == 1 { object["metadata"] = try objectMeta(b) }
        if f == 2 { object["spec"] = try tokenRequestSpec(b) }
      }
    default:
      throw APIError.unsupportedMediaType(
        "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (protobuf is accepted for Namespace, ConfigMap, Secret, CertificateSigningRequest and self-subject reviews)"
      )
    }
    return .object(object)
  }

  // MARK: Messages

  static func objectMeta(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
    var meta = JSONObject()
    var labels = JSONObject()
    var annotations = JSONObject()
    var finalizers: [JSONValue] = []
    var owners: [JSONValue] = []
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      switch (f, v) {
      case (1, .bytes(let b)) where !b.isEmpty: meta["name"] = .string(string(b))
      case (2, .bytes(let b)) where !b.isEmpty: meta["generateName"] = .string(string(b))
      case (3, .bytes(let b)) where !b.isEmpty: meta["namespace"] = .string(string(b))
      case (5, .bytes(let b)) where !b.isEmpty: meta["uid"] = .string(string(b))
      case (6, .bytes(let b)) where !b.isEmpty: meta["resourceVersion"] = .string(string(b))
      case (11, .bytes(let b)):
        let (k, value) = try mapEntry(b)
        labels[k] = .string(string(value))
      case (12, .bytes(let b)):
        let (k, value) = try mapEntry(b)
        annotations[k] = .string(string(value))
      case (13, .bytes(let b)):
        owners.append(try stringFields(b, [1: "kind", 3: "name", 4: "uid", 5: "apiVersion"]))
      case (14, .bytes(let b)): finalizers.append(.string(string(b)))
      default: continue
      }
    }
    if !labels.isEmpty { meta["labels"] = .object(labels) }
    if !annotations.isEmpty { meta["annotations"] = .object(annotations) }
    if !owners.isEmpty { meta["ownerReferences"] = .array(owners) }
    if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
    return .object(meta)
  }

  private static func namespaceSpec(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
    var finalizers: [JSONValue] = []
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      if f == 1, case .bytes(let b) = v { finalizers.append(.string(string(b))) }
    }
    var spec = JSONObject()
    if !finalizers.isEmpty { spec["finalizers"] = .array(finalizers) }
    return .object(spec)
  }

  /// `TokenRequestSpec` (`kubectl create token`): audiences 1, boundObjectRef 3,
  /// expirationSeconds 4.
  private static func tokenRequestSpec(_ bytes: ArraySlice<UInt8>) throws(APIError) -> JSONValue {
    var spec = JSONObject()
    var audiences: [JSONValue] = []
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      switch (f, v) {
      case (1, .bytes(let b)): audiences.append(.string(string(b)))
      case (3, .bytes(let b)):
        spec["boundObjectRef"] = try stringFields(
          b, [1: "kind", 2: "apiVersion", 3: "name", 4: "uid"])
      case (4, .varint(let n)): spec["expirationSeconds"] = .int(Int64(bitPattern: n))
      default: continue
      }
    }
    if !audiences.isEmpty { spec["audiences"] = .array(audiences) }
    return .object(spec)
  }

  private static func reviewSpec(_ bytes: ArraySlice<UInt8>, rules: Bool) throws(APIError)
    -> JSONValue
  {
    var spec = JSONObject()
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      guard case .bytes(let b) = v else { continue }
      if rules {
        if f == 1 { spec["namespace"] = .string(string(b)) }
      } else if f == 1 {
        spec["resourceAttributes"] = try stringFields(
          b,
          [
            1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource",
            7: "name",
          ])
      } else if f == 2 {
        spec["nonResourceAttributes"] = try stringFields(b, [1: "path", 2: "verb"])
      }
    }
    return .object(spec)
  }

  /// A message whose listed fields are strings (empty ones omitted, as Go's omitempty does).
  private static func stringFields(_ bytes: ArraySlice<UInt8>, _ names: [Int: String])
    throws(APIError) -> JSONValue
  {
    var o = JSONObject()
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      if let name = names[f], case .bytes(let b) = v, !b.isEmpty { o[name] = .string(string(b)) }
    }
    return .object(o)
  }

  static func mapEntry(_ bytes: ArraySlice<UInt8>) throws(APIError) -> (
    String, ArraySlice<UInt8>
  ) {
    var key = ""
    var value: ArraySlice<UInt8> = []
    var r = Reader(bytes)
    while let (f, v) = try r.next() {
      if f == 1, case .bytes(let b) = v { key = string(b) }
      if f == 2, case .bytes(let b) = v { value = b }
    }
    return (key, value)
  }

  static func string(_ b: ArraySlice<UInt8>) -> String {
    String(decoding: b, as: UTF8.self)
  }

  static func base64(_ bytes: ArraySlice<UInt8>) -> String {
    let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = bytes.startIndex
    while i < bytes.endIndex {
      let b0 = bytes[i]
      let b1 = i + 1 < bytes.endIndex ? bytes[i + 1] : 0
      let b2 = i + 2 < bytes.endIndex ? bytes[i + 2] : 0
      out.append(table[Int(b0 >> 2)])
      out.append(table[Int((b0 & 0x03) << 4 | b1 >> 4)])
      out.append(
        i + 1 < bytes.endIndex ? table[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
      out.append(i + 2 < bytes.endIndex ? table[Int(b2 & 0x3F)] : UInt8(ascii: "="))
      i += 3
    }
    return String(decoding: out, as: UTF8.self)
  }

  // MARK: Wire format

  enum Value {
    case varint(UInt64)
    case bytes(ArraySlice<UInt8>)
    case fixed
  }

  /// Reads protobuf fields one by one; malformed input is a 400, never a crash.
  struct Reader {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    mutating func next() throws(APIError) -> (Int, Value)? {
      guard !bytes.isEmpty else { return nil }
      let tag = try varint()
      let field = Int(tag >> 3)
      guard field > 0 else { throw Self.malformed }
      switch tag & 7 {
      case 0: return (field, .varint(try varint()))
      case 1: return try skip(8, field)
      case 5: return try skip(4, field)
      case 2:
        let length = try varint()
        guard length <= UInt64(bytes.count) else { throw Self.malformed }
        let value = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return (field, .bytes(value))
      default:
        throw Self.malformed
      }
    }

    private mutating func skip(_ n: Int, _ field: Int) throws(APIError) -> (Int, Value) {
      guard bytes.count >= n else { throw Self.malformed }
      bytes = bytes.dropFirst(n)
      return (field, .fixed)
    }

    private mutating func varint() throws(APIError) -> UInt64 {
      var result: UInt64 = 0
      var shift: UInt64 = 0
      while let b = bytes.first {
        bytes = bytes.dropFirst()
        guard shift < 64 else { throw Self.malformed }
        result |= UInt64(b & 0x7F) << shift
        if b & 0x80 == 0 { return result }
        shift += 7
      }
      throw Self.malformed
    }

    static let malformed = APIError.badRequest("the protobuf body of the request is malformed")
  }
}
