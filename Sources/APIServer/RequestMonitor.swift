import APIMachinery
import HTTP1
import HTTPServer
import Logging
import Observability

/// What the operations side of the server is configured with (`itsd serve` flags).
public struct OperationsConfiguration: Sendable {
  /// Where `/metrics` series are registered; nil serves no `/metrics`.
  public var metrics: MetricsRegistry?
  /// Request lines are logged at debug level through this logger.
  public var logger: Logger?
  /// The audit log, if `--audit-log-path` is set.
  public var audit: AuditLog?
  /// `--max-requests-inflight` (read-only budget; 0 = unlimited).
  public var maxRequestsInflight = 400
  /// `--max-mutating-requests-inflight` (0 = unlimited).
  public var maxMutatingRequestsInflight = 200
  /// Event loops, so request metrics get one shard per loop.
  public var eventLoops = 1

  public init() {}
}

/// Wraps every request to the API: admission against the in-flight budgets, metrics, the audit
/// event and the debug request line. The user is an input (authentication runs before this).
///
/// Timing: a request is timed from the handler call until its response is handed to the
/// connection (deferred: when the responder is called; watches: when the stream ends).
final class RequestMonitor: Sendable {
  /// Subresources served (anything else is a 404 and not kept as a label value).
  static let knownSubresources: Set<String> = ["", "status", "finalize", "token", "approval"]
  static let tooManyRequestsBody = Array("Too many requests, please try again later.\n".utf8)

  let requests: RequestMetrics
  let watchers = LabeledValues(
    name: "apiserver_registered_watchers",
    help: "Number of currently registered watchers for a given resources", type: .gauge,
    labelNames: ["group", "version", "kind"])
  let limiter: InflightLimiter
  let logger: Logger?
  let logRequests: Bool
  let audit: AuditLog?
  let catalog: Catalog

  init(configuration: OperationsConfiguration, catalog: Catalog) {
    requests = RequestMetrics(shards: configuration.eventLoops)
    limiter = InflightLimiter(
      maxReadOnly: configuration.maxRequestsInflight,
      maxMutating: configuration.maxMutatingRequestsInflight)
    logger = configuration.logger
    logRequests = (configuration.logger?.logLevel ?? .critical) <= .debug
    audit = configuration.audit
    self.catalog = catalog
    if let registry = configuration.metrics { register(in: registry) }
  }

  /// What the wrapper remembers about one request until it completes. The metric labels are
  /// kept as the parsed path plus small codes, not as strings copied from it: `labels` builds
  /// them when something needs them whole.
  struct Exchange: Sendable {
    var info: RequestInfo?
    var verb: MetricVerb
    var scope: MetricScope
    /// Whether the request asked for a dry run (`dry_run="All"`).
    var dryRun: Bool
    /// The health check path (`/healthz`, …): the subresource label of those requests.
    var health: HealthPath?
    var auditVerb: String
    var isWatch: Bool
    /// Health checks: never limited, not audited.
    var isExempt: Bool
    /// Who asked for what: kept only when the audit log or request logging will read it.
    var detail: Detail?
    var auditID: String?
    var started: UInt64
    var received: Int64

    /// The metric labels of the request.
    var labels: RequestLabels {
      guard let info else {
        return RequestLabels(
          verb: verb.label, subresource: health?.rawValue ?? "",
          component: health == nil ? "apiserver" : "")
      }
      return RequestLabels(
        verb: verb.label, dryRun: dryRun ? "All" : "", group: info.group, version: info.version,
        resource: info.resource, subresource: info.subresource ?? "", scope: scope.label)
    }
  }

  /// kube's `verb` label values (`metrics.CleanVerb`).
  enum MetricVerb: UInt8, Sendable {
    case get, list, watch, post, put, patch, apply, delete, deleteCollection, other

    var label: String {
      switch self {
      case .get: "GET"
      case .list: "LIST"
      case .watch: "WATCH"
      case .post: "POST"
      case .put: "PUT"
      case .patch: "PATCH"
      case .apply: "APPLY"
      case .delete: "DELETE"
      case .deleteCollection: "DELETECOLLECTION"
      case .other: "other"
      }
    }
  }

  /// kube's `scope` label values (`metrics.CleanScope`); `none` for non-resource requests.
  enum MetricScope: UInt8, Sendable {
    case none, resource, namespace, cluster

    var label: String {
      switch self {
      case .none: ""
      case .resource: "resource"
      case .namespace: "namespace"
      case .cluster: "cluster"
      }
    }
  }

  /// The health check paths (never limited, not audited, labelled by path).
  enum HealthPath: String, Sendable {
    case healthz = "/healthz"
    case livez = "/livez"
    case readyz = "/readyz"
  }

  /// The parts of an exchange only the audit log and the debug request line use.
  struct Detail: Sendable {
    var user: UserInfo
    var remote: String
    var target: String
    var userAgent: String?
  }

  func serve(
    _ request: HTTPRequest, context: RequestContext, user: UserInfo,
    route: (HTTPRequest, RequestInfo?) -> HTTPResponse
  ) -> HTTPResponse {
    let head = request.head
    if head.path.utf8.count == 8 && head.path == "/metrics" { return route(request, nil) }
    let started = WallClock.monotonicNanoseconds()
    var exchange = Self.classify(
      head, info: RequestInfo.parse(path: head.path), audited: audit != nil,
      user: audit != nil || logRequests ? user : nil, remote: context.remoteAddress)
    exchange.started = started
    if audit != nil {
      exchange.auditID = ServerClock.uuid()
      exchange.received = WallClock.nowNanoseconds()
    }
    // The slot is held as the bare counter; a `Ticket` (an allocation) is made only for the
    // responses that outlive this call.
    let kind: InflightLimiter.Kind =
      head.method == "GET" || head.method == "HEAD" ? .readOnly : .mutating
    var slot: InflightLimiter.Holder?
    if !exchange.isWatch && !exchange.isExempt {
      slot = limiter.take(
        kind, identity: user.name, host: Self.identityHost(user, remoteHost: context.remoteHost),
        privileged: Self.isPrivileged(user))
      if slot == nil {
        let response = Self.tooManyRequests(auditID: exchange.auditID)
        complete(exchange, code: 429, shard: context.loopIndex)
        return response
      }
    }
    var response = route(request, exchange.info)
    if let id = exchange.auditID { response.headers.append(("Audit-Id", id)) }
    switch response.body {
    case .bytes, .parts:
      if let slot { limiter.give(kind, slot) }
      complete(exchange, code: response.status, shard: context.loopIndex)
    case .deferred(let produce):
      let held = slot.map { limiter.ticket(kind, for: $0) }
      let final = exchange
      response.body = .deferred { [self] responder in
        produce(
          Responder { inner in
            held?.release()
            self.complete(final, code: inner.status, shard: -1)
            responder.respond(inner)
          })
      }
    case .stream(let start):
      let held = slot.map { limiter.ticket(kind, for: $0) }
      let final = exchange
      let status = response.status
      let watched = exchange.isWatch ? watchLabels(exchange.info) : nil
      if let watched { watchers.add(1, watched) }
      if final.isWatch { submitAudit(final, code: status, stage: "ResponseStarted") }
      response.body = .stream { [self] stream in
        stream.onEnd { _ in
          held?.release()
          if let watched { self.watchers.add(-1, watched) }
          self.complete(final, code: status, shard: -1, audited: final.isWatch)
        }
        start(stream)
      }
    }
    return response
  }

  /// Records a finished request: metrics, audit event, debug line.
  private func complete(_ e: Exchange, code: Int, shard: Int, audited: Bool = false) {
    let seconds = Double(WallClock.monotonicNanoseconds() &- e.started) / 1e9
    record(e, code: code, seconds: seconds, shard: shard)
    if !audited && !e.isExempt {
      submitAudit(e, code: code, stage: "ResponseComplete")
    }
    if logRequests, let logger {
      logger.debug(
        "request",
        metadata: [
          "verb": .string(e.verb.label), "path": .string(e.detail?.target ?? ""),
          "code": .stringConvertible(code),
          "duration": .string(Self.milliseconds(seconds)),
          "user": .string(e.detail?.user.name ?? ""),
          "remote": .string(e.detail?.remote ?? ""),
        ])
    }
  }

  /// Counts the request under its labels, passed borrowed from the exchange (no copies).
  private func record(_ e: Exchange, code: Int, seconds: Double, shard: Int) {
    guard let info = e.info else {
      requests.record(
        verb: e.verb.label, dryRun: "", group: "", version: "", resource: "",
        subresource: e.health?.rawValue ?? "", scope: "",
        component: e.health == nil ? "apiserver" : "", code: code, seconds: seconds,
        shard: shard, observeLatency: !e.isWatch)
      return
    }
    var verb = e.verb
    var known = true
    var subresource = info.subresource ?? ""
    if code == 404 {
      // Unknown resources and subresources get no labels from the URL, so garbage URLs cannot
      // grow the number of series.
      known =
        catalog.snapshot.resource(group: info.group, version: info.version, plural: info.resource)
        != nil
      if !known, verb == .list { verb = .get }
      if known && !Self.knownSubresources.contains(subresource) { subresource = "" }
    }
    guard known else {
      requests.record(
        verb: verb.label, dryRun: "", group: "", version: "", resource: "", subresource: "",
        scope: "", component: "apiserver", code: code, seconds: seconds, shard: shard,
        observeLatency: !e.isWatch)
      return
    }
    requests.record(
      verb: verb.label, dryRun: e.dryRun ? "All" : "", group: info.group, version: info.version,
      resource: info.resource, subresource: subresource, scope: e.scope.label,
      component: "apiserver", code: code, seconds: seconds, shard: shard,
      observeLatency: !e.isWatch)
  }

  private func submitAudit(_ e: Exchange, code: Int, stage: String) {
    guard let audit, let id = e.auditID, let detail = e.detail else { return }
    var ref: AuditRecord.ObjectRef?
    if let info = e.info {
      ref = AuditRecord.ObjectRef(
        resource: info.resource, namespace: info.namespace, name: info.name, apiGroup: info.group,
        apiVersion: info.version, subresource: info.subresource)
    }
    audit.submit(
      AuditRecord(
        auditID: id, stage: stage, requestURI: detail.target, verb: e.auditVerb,
        user: detail.user, sourceIP: RequestContext.host(of: detail.remote),
        userAgent: detail.userAgent,
        objectRef: ref, code: code,
        received: e.received, stageTime: WallClock.nowNanoseconds()))
  }

  private func watchLabels(_ info: RequestInfo?) -> [String]? {
    guard let info,
      let r = catalog.snapshot.resource(
        group: info.group, version: info.version, plural: info.resource)
    else { return nil }
    return [r.group, r.version, r.kind]
  }

  // MARK: Classification

  /// kube's metric labels and audit verb for a request (`metrics.CleanVerb`, `CleanScope`).
  static func classify(
    _ head: HTTPRequestHead, info: consuming RequestInfo?, audited: Bool = true,
    user: UserInfo? = nil, remote: String = ""
  ) -> Exchange {
    let method = head.method
    var verb = MetricVerb.other
    var scope = MetricScope.none
    var dryRun = false
    var health: HealthPath?
    var auditVerb = ""
    var isWatch = false
    var isExempt = false
    if let info {
      dryRun = head.queryValue("dryRun") == "All"
      switch method {
      case "GET", "HEAD":
        if info.name != nil {
          (verb, auditVerb) = (.get, "get")
        } else if Query.isWatch(head) {
          (verb, auditVerb) = (.watch, "watch")
          isWatch = true
        } else {
          (verb, auditVerb) = (.list, "list")
        }
      case "POST": (verb, auditVerb) = (.post, "create")
      case "PUT": (verb, auditVerb) = (.put, "update")
      case "PATCH":
        let type = head.headers["Content-Type"] ?? ""
        verb = type.hasPrefix("application/apply-patch") ? .apply : .patch
        auditVerb = "patch"
      case "DELETE":
        if info.name == nil {
          (verb, auditVerb) = (.deleteCollection, "deletecollection")
        } else {
          (verb, auditVerb) = (.delete, "delete")
        }
      default:
        if audited { auditVerb = method.lowercased() }
      }
      if info.name != nil || method == "POST" {
        scope = .resource
      } else if info.namespace != nil {
        scope = .namespace
      } else {
        scope = .cluster
      }
    } else {
      health = HealthPath(rawValue: head.path)
      isExempt = health != nil || head.path == "/metrics"
      switch method {
      case "GET", "HEAD": verb = .get
      case "POST": verb = .post
      case "PUT": verb = .put
      case "PATCH": verb = .patch
      case "DELETE": verb = .delete
      default: break
      }
      if audited { auditVerb = method.lowercased() }
    }
    // The parsed path moves into the exchange: no copy of its strings.
    return Exchange(
      info: consume info, verb: verb, scope: scope, dryRun: dryRun, health: health,
      auditVerb: auditVerb, isWatch: isWatch, isExempt: isExempt,
      detail: user.map {
        Detail(
          user: $0, remote: remote, target: head.target,
          userAgent: audited ? head.headers["User-Agent"] : nil)
      }, auditID: nil, started: 0, received: 0)
  }

  /// Whether every client without credentials shares the name: `system:anonymous`, and
  /// `system:unsecured`, the identity of every request while authentication is off.
  static func isSharedName(_ name: String) -> Bool {
    name == "system:unsecured" || name == UserInfo.anonymous.name
  }

  /// The fairness key: the user name; clients sharing a name (`isSharedName`) are told apart by
  /// their address.
  static func identity(_ user: UserInfo, remote: String) -> String {
    let host = identityHost(user, remoteHost: RequestContext.host(of: remote))
    return host.isEmpty ? user.name : user.name + "@" + host
  }

  /// The address part of the fairness key (empty for names of their own): the limiter takes
  /// name and host apart, so no key string is built per request.
  static func identityHost(_ user: UserInfo, remoteHost: String) -> String {
    isSharedName(user.name) ? remoteHost : ""
  }

  /// kube never rejects `system:masters` for in-flight limits; with authentication off every
  /// request is in that group, so the exception holds only for credentialed administrators.
  static func isPrivileged(_ user: UserInfo) -> Bool {
    !isSharedName(user.name) && user.isMember(of: "system:masters")
  }

  static func milliseconds(_ seconds: Double) -> String {
    let micros = Int((seconds * 1e6).rounded())
    let whole = micros / 1000
    let frac = micros % 1000
    let pad = frac < 10 ? "00" : frac < 100 ? "0" : ""
    return "\(whole).\(pad)\(frac)ms"
  }

  /// kube-apiserver's max-in-flight rejection, byte for byte (`tooManyRequests` in
  /// `server/filters/maxinflight.go`: `http.Error`, so plain text, plus `Retry-After: 1`).
  static func tooManyRequests(auditID: String?) -> HTTPResponse {
    var headers = [("Retry-After", "1"), ("X-Content-Type-Options", "nosniff")]
    if let auditID { headers.append(("Audit-Id", auditID)) }
    return HTTPResponse(
      status: 429, contentType: "text/plain; charset=utf-8", body: tooManyRequestsBody,
      headers: headers)
  }

  // MARK: Metrics

  private func register(in registry: MetricsRegistry) {
    let requests = self.requests
    let watchers = self.watchers
    let limiter = self.limiter
    let audit = self.audit
    registry.register { requests.families() }
    registry.register {
      var inflight = MetricFamily(
        name: "apiserver_current_inflight_requests",
        help:
          "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.",
        type: .gauge)
      var dropped = MetricFamily(
        name: "apiserver_dropped_requests_total",
        help:
          "Number of requests dropped with 'Try again later' response, per request kind (readOnly, mutating).",
        type: .counter)
      for kind in [InflightLimiter.Kind.mutating, .readOnly] {
        inflight.samples.append(
          MetricSample(
            labels: [("request_kind", kind.rawValue)], value: Double(limiter.peak(kind))))
        dropped.samples.append(
          MetricSample(
            labels: [("request_kind", kind.rawValue)], value: Double(limiter.rejected(kind))))
      }
      var families = [inflight, dropped, watchers.family()]
      if let audit {
        families.append(
          .single(
            "its_audit_events_total", help: "Audit events written to the audit log.",
            type: .counter,
            Double(audit.written)))
        families.append(
          .single(
            "its_audit_events_dropped_total",
            help: "Audit events dropped because the audit writer could not keep up.",
            type: .counter, Double(audit.dropped)))
      }
      return families
    }
  }
}
