import APIMachinery
import JSON

/// `as=Table` output (kubectl's human-readable `get`): built-in columns for ConfigMap and
/// Namespace, CRD printer columns (dates humanized by the server, as kube-apiserver does) and
/// `rows[].object` as PartialObjectMetadata so `--show-labels` works.
enum TableConverter {
  static let nameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
  static let ageDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC."

  struct Column {
    var definition: JSONValue
    var cell: (JSONValue) -> JSONValue
  }

  static func columns(_ r: ResourceDefinition) -> [Column] {
    func def(
      _ name: String, _ type: String, _ format: String = "", _ description: String = "",
      priority: Int = 0
    ) -> JSONValue {
      [
        "name": .string(name), "type": .string(type), "format": .string(format),
        "description": .string(description), "priority": .int(Int64(priority)),
      ]
    }
    let name = Column(definition: def("Name", "string", "name", nameDescription)) {
      $0["metadata"]?["name"] ?? ""
    }
    let ageColumn = Column(definition: def("Age", "string", "", ageDescription)) { object in
      .string(Self.age(object["metadata"]?["creationTimestamp"]?.stringValue))
    }
    if r.group.isEmpty && r.plural == "configmaps" {
      let data = Column(
        definition: def("Data", "integer", "", "Data contains the configuration data.")
      ) { object in
        .int(
          Int64(
            (object["data"]?.objectValue?.count ?? 0)
              + (object["binaryData"]?.objectValue?.count ?? 0)))
      }
      return [name, data, ageColumn]
    }
    if r.group.isEmpty && r.plural == "namespaces" {
      let status = Column(definition: def("Status", "string", "", "The status of the namespace")) {
        $0["status"]?["phase"] ?? ""
      }
      return [name, status, ageColumn]
    }
    if let builtIn = builtInColumns(r, name: name, age: ageColumn, def: def) { return builtIn }
    if r.printerColumns.isEmpty { return [name, ageColumn] }
    return [name]
      + r.printerColumns.map { c in
        Column(
          definition: def(
            c.name, c.type == "date" ? "date" : c.type, c.format, c.description,
            priority: c.priority)
        ) { object in
          let values = JSONPathLite.evaluate(c.jsonPath, object)
          guard let first = values.first else { return .null }
          if c.type == "date" { return .string(Self.age(first.stringValue)) }
          if values.count > 1 { return .string(values.map(text).joined(separator: ",")) }
          return first
        }
      }
  }

  /// kube-apiserver's printers for the other built-in kinds (`pkg/printers/internalversion`),
  /// generated wide as the server does (kubectl hides priority-1 columns without `-o wide`).
  static func builtInColumns(
    _ r: ResourceDefinition, name: Column, age: Column,
    def: (String, String, String, String, Int) -> JSONValue
  ) -> [Column]? {
    switch (r.group, r.plural) {
    case ("", "secrets"):
      let type = Column(definition: def("Type", "string", "", secretTypeDescription, 0)) {
        $0["type"] ?? ""
      }
      let data = Column(definition: def("Data", "string", "", secretDataDescription, 0)) {
        .int(Int64($0["data"]?.objectValue?.count ?? 0))
      }
      return [name, type, data, age]
    case ("coordination.k8s.io", "leases"):
      let holder = Column(definition: def("Holder", "string", "", holderDescription, 0)) {
        $0["spec"]?["holderIdentity"] ?? ""
      }
      return [name, holder, age]
    case ("", "events"), ("events.k8s.io", "events"):
      let v1 = r.group.isEmpty
      func event(_ o: JSONValue) -> EventFields { EventFields(o, core: v1) }
      return [
        Column(
          definition: def(
            "Last Seen", "string", "",
            "The time at which the most recent occurrence of this event was recorded.", 0)
        ) {
          .string(event($0).lastSeen)
        },
        Column(
          definition: def(
            "Type", "string", "",
            "Type of this event (Normal, Warning), new types could be added in the future", 0)
        ) {
          $0["type"] ?? ""
        },
        Column(
          definition: def(
            "Reason", "string", "",
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
            0)
        ) {
          $0["reason"] ?? ""
        },
        Column(definition: def("Object", "string", "", "The object that this event is about.", 0)) {
          .string(event($0).target)
        },
        Column(
          definition: def(
            "Subobject", "string", "",
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].",
            1)
        ) {
          $0[v1 ? "involvedObject" : "regarding"]?["fieldPath"] ?? ""
        },
        Column(
          definition: def(
            "Source", "string", "",
            "The component reporting this event. Should be a short machine understandable string.",
            1)
        ) {
          .string(event($0).source)
        },
        Column(
          definition: def(
            "Message", "string", "",
            "A human-readable description of the status of this operation.", 0)
        ) {
          .string(event($0).message)
        },
        Column(
          definition: def(
            "First Seen", "string", "",
            "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
            1)
        ) {
          .string(event($0).firstSeen)
        },
        Column(
          definition: def("Count", "string", "", "The number of times this event has occurred.", 1)
        ) {
          .int(event($0).count)
        },
        Column(definition: def("Name", "string", "name", nameDescription, 1)) {
          $0["metadata"]?["name"] ?? ""
        },
      ]
    case ("certificates.k8s.io", "certificatesigningrequests"):
      // `printCertificateSigningRequest`: requester, requested duration, condition summary.
      func column(
        _ title: String, _ description: String, _ cell: @escaping (JSONValue) -> JSONValue
      )
        -> Column
      {
        Column(definition: def(title, "string", "", description, 0), cell: cell)
      }
      return [
        name, age,
        column("SignerName", "signerName indicates the requested signer, and is a qualified name.")
        {
          .string($0["spec"]?["signerName"]?.stringValue ?? "<none>")
        },
        column("Requestor", "username contains the name of the user that created the request.") {
          $0["spec"]?["username"] ?? ""
        },
        column("RequestedDuration", "expirationSeconds is the requested duration of validity.") {
          guard let seconds = $0["spec"]?["expirationSeconds"]?.int64Value else { return "<none>" }
          return .string(Self.humanDuration(seconds))
        },
        column("Condition", "conditions applied to the request (Approved, Denied, Failed).") {
          .string(CertificateSigningRequests.conditionSummary($0))
        },
      ]
    case ("apiextensions.k8s.io", "customresourcedefinitions"):
      // The default table convertor: the creation time as RFC 3339, not humanized.
      let created = Column(definition: def("Created At", "date", "", ageDescription, 0)) {
        $0["metadata"]?["creationTimestamp"] ?? .null
      }
      return [name, created]
    default:
      return nil
    }
  }

  static let secretTypeDescription =
    "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"
  static let secretDataDescription =
    "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"
  static let holderDescription =
    "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."

  /// The cells kube's `printEvent` derives, from a core/v1 or an events.k8s.io/v1 Event.
  struct EventFields {
    var lastSeen: String
    var firstSeen: String
    var count: Int64
    var target: String
    var source: String
    var message: String

    init(_ o: JSONValue, core: Bool) {
      func string(_ v: JSONValue?) -> String { v?.stringValue ?? "" }
      let firstTimestamp = string(o[core ? "firstTimestamp" : "deprecatedFirstTimestamp"])
      let lastTimestamp = string(o[core ? "lastTimestamp" : "deprecatedLastTimestamp"])
      firstSeen = TableConverter.age(
        firstTimestamp.isEmpty ? o["eventTime"]?.stringValue : firstTimestamp)
      lastSeen = lastTimestamp.isEmpty ? firstSeen : TableConverter.age(lastTimestamp)
      count = o[core ? "count" : "deprecatedCount"]?.int64Value ?? 0
      if let series = o["series"]?.objectValue {
        lastSeen = TableConverter.age(series["lastObservedTime"]?.stringValue)
        count = series["count"]?.int64Value ?? 0
      } else if count == 0 {
        count = 1  // singleton events have no count in the new API
      }
      let involved = o[core ? "involvedObject" : "regarding"]
      let kind = string(involved?["kind"]).lowercased()
      let objectName = string(involved?["name"])
      target = objectName.isEmpty ? kind : "\(kind)/\(objectName)"
      let src = o[core ? "source" : "deprecatedSource"]
      // core/v1 serializes ReportingController as `reportingComponent`.
      var component = string(src?["component"])
      if component.isEmpty {
        component = string(o[core ? "reportingComponent" : "reportingController"])
      }
      var host = string(src?["host"])
      if host.isEmpty { host = string(o["reportingInstance"]) }
      source = host.isEmpty ? component : "\(component), \(host)"
      message = string(o[core ? "message" : "note"]).trimmingWhitespace()
    }
  }

  static func text(_ v: JSONValue) -> String {
    switch v {
    case .string(let s): return s
    case .int(let i): return String(i)
    case .bool(let b): return b ? "true" : "false"
    case .double(let d): return String(d)
    default: return v.jsonString
    }
  }

  static func row(_ columns: [Column], _ object: JSONValue) -> JSONValue {
    var partial = JSONObject()
    partial["kind"] = "PartialObjectMetadata"
    partial["apiVersion"] = "meta.k8s.io/v1"
    partial["metadata"] = object["metadata"] ?? [:]
    return ["cells": .array(columns.map { $0.cell(object) }), "object": .object(partial)]
  }

  static func table(
    _ r: ResourceDefinition, objects: [JSONValue], revision: UInt64?, continueToken: String?
  ) -> [UInt8] {
    let cols = columns(r)
    var meta = JSONObject()
    if let revision { meta["resourceVersion"] = .string(String(revision)) }
    if let continueToken { meta["continue"] = .string(continueToken) }
    let table: JSONValue = [
      "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(meta),
      "columnDefinitions": .array(cols.map(\.definition)),
      "rows": .array(objects.map { row(cols, $0) }),
    ]
    return table.serialized()
  }

  /// A watch event whose object is a one-row Table.
  static func watchEvent(_ r: ResourceDefinition, type: String, object: JSONValue) -> [UInt8] {
    let table = table(r, objects: [object], revision: nil, continueToken: nil)
    var out = Array("{\"type\":\"\(type)\",\"object\":".utf8)
    out.append(contentsOf: table)
    out.append(contentsOf: Array("}\n".utf8))
    return out
  }

  /// kube's `duration.HumanDuration` of the time since `timestamp`.
  static func age(_ timestamp: String?) -> String {
    guard let timestamp, let t = ServerClock.epochSeconds(timestamp) else { return "<unknown>" }
    return humanDuration(ServerClock.nowSeconds() - t)
  }

  static func humanDuration(_ seconds: Int64) -> String {
    if seconds < -1 { return "<invalid>" }
    if seconds < 0 { return "0s" }
    if seconds < 120 { return "\(seconds)s" }
    let minutes = seconds / 60
    if minutes < 10 {
      let s = seconds % 60
      return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
    }
    if minutes < 180 { return "\(minutes)m" }
    let hours = seconds / 3600
    if hours < 8 {
      let m = minutes % 60
      return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
    }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 {
      let h = hours % 24
      return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
    }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    if hours < 24 * 365 * 8 {
      let d = (hours / 24) % 365
      return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d"
    }
    return "\(hours / 24 / 365)y"
  }
}

/// The JSONPath subset CRD printer columns use: `.a.b`, `[*]`, `[N]` and `[?(@.k=="v")]`.
enum JSONPathLite {
  static func evaluate(_ path: String, _ root: JSONValue) -> [JSONValue] {
    var current = [root]
    var rest = Substring(path)
    while !rest.isEmpty {
      if rest.hasPrefix(".") {
        rest = rest.dropFirst()
        let name = rest.prefix { $0 != "." && $0 != "[" }
        rest = rest.dropFirst(name.count)
        current = current.compactMap { $0[String(name)] }
      } else if rest.hasPrefix("[") {
        guard let close = rest.firstIndex(of: "]") else { return [] }
        let inner = rest[rest.index(after: rest.startIndex)..<close]
        rest = rest[rest.index(after: close)...]
        if inner == "*" {
          current = current.flatMap { $0.arrayValue ?? $0.objectValue?.members.map(\.value) ?? [] }
        } else if let n = Int(inner) {
          current = current.compactMap { $0[n] }
        } else if inner.hasPrefix("?(@."), inner.hasSuffix(")") {
          let condition = inner.dropFirst(4).dropLast()
          let parts = condition.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: true)
          guard parts.count == 2 else { return [] }
          let key = String(parts[0])
          let want = parts[1].trimmingCharacters(in: "\"'")
          current = current.flatMap {
            ($0.arrayValue ?? []).filter { $0[key]?.stringValue == want }
          }
        } else {
          return []
        }
      } else {
        return []
      }
    }
    return current
  }
}

extension Substring {
  func trimmingCharacters(in set: String) -> String {
    var s = self
    while let f = s.first, set.contains(f) { s.removeFirst() }
    while let l = s.last, set.contains(l) { s.removeLast() }
    return String(s)
  }
}

extension String {
  /// Go's `strings.TrimSpace` for ASCII whitespace.
  func trimmingWhitespace() -> String {
    let ws: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
    var s = Substring(self)
    while let f = s.first, ws.contains(f) { s.removeFirst() }
    while let l = s.last, ws.contains(l) { s.removeLast() }
    return String(s)
  }
}
