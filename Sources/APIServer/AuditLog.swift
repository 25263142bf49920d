import APIMachinery
import JSON
import Observability

/// One `audit.k8s.io/v1` Event at level Metadata, as captured on the request path. Rendered to
/// JSON by the audit writer's thread, never by an event loop.
public struct AuditRecord: Sendable {
  /// The object a resource request addressed (kube's `ObjectReference` in audit events).
  public struct ObjectRef: Sendable {
    public var resource: String
    public var namespace: String?
    public var name: String?
    public var apiGroup: String
    public var apiVersion: String
    public var subresource: String?
  }

  public var auditID: String
  /// `ResponseComplete`, or `ResponseStarted` for watches (logged once, when they start).
  public var stage: String
  public var requestURI: String
  /// kube's request verb: get, list, watch, create, update, patch, delete, deletecollection;
  /// the lower-case HTTP method for non-resource requests.
  public var verb: String
  public var user: UserInfo
  public var sourceIP: String
  public var userAgent: String?
  public var objectRef: ObjectRef?
  public var code: Int
  /// Nanoseconds since the epoch.
  public var received: Int64
  public var stageTime: Int64

  /// Appends the event's JSON line (fields in the order kube-apiserver writes them).
  public func appendLine(to out: inout [UInt8]) {
    var event = JSONObject()
    event["kind"] = "Event"
    event["apiVersion"] = "audit.k8s.io/v1"
    event["level"] = "Metadata"
    event["auditID"] = .string(auditID)
    event["stage"] = .string(stage)
    event["requestURI"] = .string(requestURI)
    event["verb"] = .string(verb)
    var userObject = JSONObject()
    userObject["username"] = .string(user.name)
    if !user.uid.isEmpty { userObject["uid"] = .string(user.uid) }
    if !user.groups.isEmpty { userObject["groups"] = .array(user.groups.map { .string($0) }) }
    if !user.extra.isEmpty {
      var extra = JSONObject()
      for key in user.extra.keys.sorted() {
        extra[key] = .array(user.extra[key]!.map { .string($0) })
      }
      userObject["extra"] = .object(extra)
    }
    event["user"] = .object(userObject)
    event["sourceIPs"] = [.string(sourceIP)]
    if let userAgent { event["userAgent"] = .string(userAgent) }
    if let ref = objectRef {
      var o = JSONObject()
      o["resource"] = .string(ref.resource)
      if let ns = ref.namespace { o["namespace"] = .string(ns) }
      if let name = ref.name { o["name"] = .string(name) }
      if !ref.apiGroup.isEmpty { o["apiGroup"] = .string(ref.apiGroup) }
      o["apiVersion"] = .string(ref.apiVersion)
      if let sub = ref.subresource { o["subresource"] = .string(sub) }
      event["objectRef"] = .object(o)
    }
    event["responseStatus"] = ["metadata": [:], "code": .int(Int64(code))]
    event["requestReceivedTimestamp"] = .string(WallClock.rfc3339(nanoseconds: received))
    event["stageTimestamp"] = .string(WallClock.rfc3339(nanoseconds: stageTime))
    JSONWriter.append(.object(event), to: &out)
    out.append(0x0A)
  }
}

/// The audit log (`--audit-log-path`): events go to a bounded background writer; when it cannot
/// keep up they are dropped and counted (`its_audit_events_dropped_total`), never waited for.
public final class AuditLog: Sendable {
  let writer: BoundedLineWriter<AuditRecord>

  /// `capacity`: events that may wait for the disk before new ones are dropped.
  public init(output: @escaping @Sendable ([UInt8]) -> Void, capacity: Int = 10_000) {
    writer = BoundedLineWriter(
      capacity: capacity, render: { record, out in record.appendLine(to: &out) }, output: output)
  }

  func submit(_ record: AuditRecord) { writer.submit(record) }

  /// Events dropped because the writer fell behind.
  public var dropped: UInt64 { writer.dropped }
  /// Events written.
  public var written: UInt64 { writer.written }
  /// Waits until every event submitted so far is written (shutdown, tests).
  public func flush() { writer.flush() }
}
