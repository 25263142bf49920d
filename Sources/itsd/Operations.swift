import APIMachinery
import APIServer
import Hub
import Logging
import Observability

/// The operations side of `itsd serve`, wired from the settings: the `/metrics` registry with
/// every collector, the audit log, request logging and the in-flight limits the API handler
/// enforces.
struct Operations {
  let logger: Logger
  let configuration: OperationsConfiguration
  private let statusCounters: StatusCounters
  private let audit: AuditLog?

  /// Builds everything from the settings; opening the audit file may fail.
  init(settings: Settings, registry: Registry, logger: Logger) throws {
    self.logger = logger

    let metrics = MetricsRegistry()
    var audit: AuditLog?
    if !settings.auditLogPath.isEmpty {
      guard let fd = BoundedLineWriter<AuditRecord>.openFile(settings.auditLogPath) else {
        throw StartupError("cannot open audit-log-path \(settings.auditLogPath)")
      }
      audit = AuditLog(output: BoundedLineWriter<AuditRecord>.fileOutput(fd))
    }
    self.audit = audit
    var configuration = OperationsConfiguration()
    configuration.metrics = metrics
    configuration.logger = logger
    configuration.audit = audit
    configuration.maxRequestsInflight = settings.maxRequestsInflight
    configuration.maxMutatingRequestsInflight = settings.maxMutatingRequestsInflight
    configuration.eventLoops = settings.eventLoops
    self.configuration = configuration

    statusCounters = StatusCounters(store: registry.store)
    StoreMetrics.register(in: metrics, registry: registry)
    let counters = statusCounters
    metrics.register {
      var clusters = MetricFamily(
        name: "its_managedclusters",
        help: "ManagedClusters by the status of their ManagedClusterConditionAvailable condition.",
        type: .gauge)
      for (status, n) in counters.clusterCounts() {
        clusters.samples.append(
          MetricSample(labels: [("available", status.rawValue)], value: Double(n)))
      }
      var works = MetricFamily(
        name: "its_manifestworks",
        help: "ManifestWorks by the status of their Applied and Available conditions.",
        type: .gauge)
      for (state, n) in counters.workCounts() {
        works.samples.append(
          MetricSample(
            labels: [("applied", state.applied.rawValue), ("available", state.available.rawValue)],
            value: Double(n)))
      }
      return [clusters, works]
    }
    metrics.register { ProcessMetrics.families() }
  }

  func start() { statusCounters.start() }

  /// Stops the informers and writes out pending audit events.
  func stop() {
    statusCounters.stop()
    audit?.flush()
  }
}
