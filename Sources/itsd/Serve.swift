import APIMachinery
import APIServer
import ArgumentParser
import Dispatch
import Foundation
import HTTPServer
import Hub
import Logging
import Observability
import Sockets
import Store
import Synchronization

/// `itsd serve`: starts the API server and runs until SIGTERM or SIGINT.
struct Serve: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the server.",
    discussion:
      "Every option can also be set in the --config YAML file under the same name; options given here win."
  )

  @Option(help: "YAML file with settings (see config/itsd.yaml).") var config: String?
  @Option(help: "Address to listen on (127.0.0.1, ::1, 0.0.0.0). Default 127.0.0.1.")
  var bindAddress: String?
  @Option(help: "Port to listen on; 0 picks a free one. Default 8080.") var port: String?
  @Option(help: "Directory for generated state, created with mode 0700. Default .itsd.")
  var dataDir: String?
  @Option(help: "Event loop threads. Default: the number of cores.") var eventLoops: String?
  @Option(help: "Open connections allowed; new ones past it are closed. Default 10000.")
  var maxConnections: String?
  @Option(help: "Request line plus headers, in bytes (431 past it). Default 1048576.")
  var maxRequestHeadBytes: String?
  @Option(help: "Request body, in bytes (413 past it). Default 3145728.") var maxRequestBodyBytes:
    String?
  @Option(help: "Header fields per request (431 past it). Default 1000.") var maxHeaderCount:
    String?
  @Option(help: "Time to receive a whole request head (408 past it). Default 30s.")
  var requestHeadTimeout: String?
  @Option(help: "Time a request body may stall (408 past it). Default 60s.") var requestBodyTimeout:
    String?
  @Option(help: "Idle keep-alive connections are closed after this. Default 120s.") var idleTimeout:
    String?
  @Option(help: "Graceful shutdown waits at most this long. Default 5s.") var shutdownTimeout:
    String?
  @Option(
    help: "Unsent bytes one connection may hold (slow readers past it are cut). Default 16777216.")
  var maxOutputBufferBytes: String?
  @Option(help: "Watch history: events kept at least. Default 10000.") var watchHistorySize: String?
  @Option(help: "Watch history: age kept at least (0s: size alone decides). Default 5m.")
  var watchHistoryAge: String?
  @Flag(help: "Serve HTTPS; without --tls-cert-file, certificates are generated in --data-dir.")
  var secure = false
  @Option(help: "Serving certificate (PEM, leaf first); turns TLS on.") var tlsCertFile: String?
  @Option(help: "Private key (PEM) of --tls-cert-file.") var tlsPrivateKeyFile: String?
  @Option(help: "CA bundle (PEM) for client certificates, in addition to the itsd CA.")
  var clientCAFile: String?
  @Option(help: "trace, debug (a line per request), info, notice, warning, error, critical.")
  var logLevel: String?
  @Option(help: "Log lines as text or json. Default text.") var logFormat: String?
  @Option(help: "Audit events (audit.k8s.io/v1) as JSON lines to this file; - for stdout.")
  var auditLogPath: String?
  @Option(help: "Read-only requests in flight (429 past it; 0: no limit). Default 400.")
  var maxRequestsInflight: String?
  @Option(help: "Mutating requests in flight (429 past it; 0: no limit). Default 200.")
  var maxMutatingRequestsInflight: String?
  @Flag(help: "Accept every new ManagedCluster once (OCM's ManagedClusterAutoApproval).")
  var autoAccept = false
  @Option(help: "Simulated WECs run in-process against this server, accepted. Default 0.")
  var simulatedWecs: String?
  @Option(help: "Static bearer tokens (CSV token,user,uid,\"g1,g2\"); turns authentication on.")
  var tokenAuthFile: String?

  /// The settings after the config file and then the flags are applied.
  func resolvedSettings() throws(SettingsError) -> Settings {
    var settings = Settings()
    if let config { try ConfigFile.apply(path: config, to: &settings) }
    let flags: [(String, String?)] = [
      ("bind-address", bindAddress), ("port", port), ("data-dir", dataDir),
      ("event-loops", eventLoops), ("max-connections", maxConnections),
      ("max-request-head-bytes", maxRequestHeadBytes),
      ("max-request-body-bytes", maxRequestBodyBytes), ("max-header-count", maxHeaderCount),
      ("request-head-timeout", requestHeadTimeout), ("request-body-timeout", requestBodyTimeout),
      ("idle-timeout", idleTimeout), ("shutdown-timeout", shutdownTimeout),
      ("max-output-buffer-bytes", maxOutputBufferBytes),
      ("watch-history-size", watchHistorySize), ("watch-history-age", watchHistoryAge),
      ("secure", secure ? "true" : nil), ("tls-cert-file", tlsCertFile),
      ("tls-private-key-file", tlsPrivateKeyFile), ("client-ca-file", clientCAFile),
      ("log-level", logLevel), ("log-format", logFormat), ("audit-log-path", auditLogPath),
      ("max-requests-inflight", maxRequestsInflight),
      ("max-mutating-requests-inflight", maxMutatingRequestsInflight),
      ("auto-accept", autoAccept ? "true" : nil), ("token-auth-file", tokenAuthFile),
      ("simulated-wecs", simulatedWecs),
    ]
    for case (let key, let value?) in flags { try settings.set(key, value) }
    try settings.validate()
    return settings
  }

  func run() throws {
    let settings: Settings
    do {
      settings = try resolvedSettings()
    } catch {
      throw ValidationError(error.description)
    }
    Syscall.ignoreSIGPIPE()
    let shutdown = ShutdownTrigger()
    let log = Log.bootstrap(settings)
    let signals = SignalWatcher(signals: [SIGTERM, SIGINT]) { signal in
      log.notice("received signal \(signal), shutting down")
      shutdown.fire()
    }
    try DataDirectory.prepare(settings.dataDir)
    let secureServing: SecureServing?
    do {
      secureServing = settings.tlsEnabled ? try SecureServing.prepare(settings) : nil
    } catch {
      throw StartupError("TLS: \(error)")
    }
    var serverConfiguration = settings.serverConfiguration
    serverConfiguration.tls = secureServing?.context

    let store = Store(
      configuration: StoreConfiguration(
        historySize: settings.watchHistorySize,
        historyAge: .milliseconds(settings.watchHistoryAgeMillis)))
    let registry = Registry(store: store, catalog: Catalog())
    try Bootstrap.seed(registry)
    let access = try AccessControl.start(settings, registry: registry)
    let space = ITSSpace(registry: registry)
    try space.start()
    let namespaceController = NamespaceController(registry: registry)
    namespaceController.start()
    let garbageCollector = GarbageCollector(registry: registry)
    garbageCollector.start()
    let hub = HubControllers(
      registry: registry,
      options: HubOptions(autoAccept: settings.autoAccept, log: { log.warning("hub: \($0)") }))
    hub.start()
    let dataDir = settings.dataDir
    let certificates = CertificateControllers(
      registry: registry,
      authority: secureServing.map { CertificateAuthorityProvider($0.ca) }
        ?? CertificateAuthorityProvider { try SecureServing.loadOrCreateCA(dataDir: dataDir) },
      autoApprovalUsers: settings.autoAccept ? CSRApprover.defaultAutoApprovalUsers : [],
      log: { log.warning("csr: \($0)") })
    certificates.start()
    let operations = try Operations(settings: settings, registry: registry, logger: log)
    operations.start()
    let server = HTTPServer(
      configuration: serverConfiguration,
      handler: APIHandler(
        registry: registry, operations: operations.configuration,
        authenticator: access.authenticator),
      logger: { log.error("\($0)") })
    let bound: SocketAddress
    do {
      bound = try server.start()
    } catch {
      throw StartupError("cannot listen on \(settings.bindAddress):\(settings.port): \(error)")
    }
    shutdown.arm { server.shutdown() }
    var adminKubeconfig: String?
    if let secureServing {
      let path = try secureServing.writeAdminKubeconfig(
        dataDir: settings.dataDir, bindAddress: settings.bindAddress, port: bound.port)
      log.notice("admin kubeconfig written to \(path)")
      adminKubeconfig = path
    }
    try space.publishClusterInfo(
      server: "\(secureServing == nil ? "http" : "https")://\(bound)",
      certificateAuthority: secureServing.flatMap {
        $0.generatedServing ? Array($0.ca.certificate.pem.utf8) : nil
      })
    Log.ready("listening on \(secureServing == nil ? "http" : "https")://\(bound)")
    let fleet = try InProcessFleet.start(
      count: settings.simulatedWECs, bound: bound, secure: secureServing != nil,
      adminKubeconfig: adminKubeconfig)
    server.waitUntilStopped()
    fleet?.stop()
    signals.cancel()
    namespaceController.stop()
    garbageCollector.stop()
    hub.stop()
    certificates.stop()
    access.stop()
    space.stop()
    operations.stop()
    log.info("stopped")
  }
}

/// The process's logging: swift-log with our handler (see `Operations`), plus the ready line.
enum Log {
  /// Installs the `--log-level`/`--log-format` handler (once) and returns the `itsd` logger.
  static func bootstrap(_ settings: Settings) -> Logger {
    let level = Logger.Level(flag: settings.logLevel) ?? .info
    let format = LogFormat(rawValue: settings.logFormat) ?? .text
    LoggingSystem.bootstrap { label in
      LineLogHandler(label: label, level: level, format: format, sink: .standardError)
    }
    return Logger(label: "itsd")
  }

  /// `listening on http://ADDR:PORT`, exactly, whatever the log format: scripts and tests wait
  /// for this line.
  static func ready(_ line: String) {
    FileHandle.standardError.write(Data("\(line)\n".utf8))
  }
}

/// The data directory: created (with parents) on first use, mode 0700.
enum DataDirectory {
  static func prepare(_ path: String) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw StartupError("data-dir \(path) exists and is not a directory")
      }
      return
    }
    do {
      try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw StartupError("cannot create data-dir \(path): \(error.localizedDescription)")
    }
  }
}

/// Turns SIGTERM/SIGINT into a callback, reliably: the signals are blocked in every thread
/// (call this before any other thread starts, so they all inherit the mask) and one dedicated
/// thread takes them with `sigwait`, so a signal arriving at any moment after construction is
/// handled, never lost or fatal.
final class SignalWatcher: @unchecked Sendable {
  private var set = sigset_t()
  private let handler: @Sendable (Int32) -> Void

  init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
    self.handler = handler
    sigemptyset(&set)
    for s in signals { sigaddset(&set, s) }
    pthread_sigmask(SIG_BLOCK, &set, nil)
    var thread = pthread_t()
    let box = Unmanaged.passRetained(self).toOpaque()
    pthread_create(
      &thread, nil,
      { arg in
        let watcher = Unmanaged<SignalWatcher>.fromOpaque(arg!).takeRetainedValue()
        watcher.wait()
        return nil
      }, box)
    pthread_detach(thread)
  }

  private func wait() {
    while true {
      var received: Int32 = 0
      if sigwait(&set, &received) == 0 { handler(received) }
    }
  }

  /// Nothing to release: the waiting thread ends with the process.
  func cancel() {}
}

/// Remembers a shutdown request that arrives before the server exists, and runs the action
/// once both the request and the action are there.
final class ShutdownTrigger: Sendable {
  private let state = Mutex<(fired: Bool, action: (@Sendable () -> Void)?)>((false, nil))

  func fire() {
    let action = state.withLock { s -> (@Sendable () -> Void)? in
      s.fired = true
      return s.action
    }
    action?()
  }

  func arm(_ action: @escaping @Sendable () -> Void) {
    let fired = state.withLock { s -> Bool in
      s.action = action
      return s.fired
    }
    if fired { action() }
  }
}

/// A failure while starting the server (not a usage error: no usage text is printed).
struct StartupError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
