import KubeClient
import Simulator
import Sockets

/// `itsd serve --simulated-wecs N`: a fleet of simulated WECs run in-process against the
/// server's own address once it listens, accepting their clusters as an admin would (so the
/// demo needs no other step). Same agents as `itsd simulate`; see docs/its.md.
enum InProcessFleet {
  /// Starts `count` agents against `bound` (a wildcard bind address is reached on loopback);
  /// with TLS on, through the admin kubeconfig the server wrote (its CA and admin client
  /// certificate). Returns nil when `count` is 0.
  static func start(
    count: Int, bound: SocketAddress, secure: Bool, adminKubeconfig: String? = nil
  ) throws -> Simulator? {
    guard count > 0 else { return nil }
    var url: ClientURL
    var credentials: Kubeconfig?
    if secure {
      guard let adminKubeconfig else {
        throw StartupError("--simulated-wecs with TLS needs the admin kubeconfig")
      }
      let loaded = try Kubeconfig.load(path: adminKubeconfig)
      url = try ClientURL(loaded.server)
      credentials = loaded
    } else {
      var host = bound.host
      if host == "0.0.0.0" { host = "127.0.0.1" }
      if host == "::" { host = "::1" }
      url = ClientURL(scheme: .http, host: host, port: bound.port)
    }
    var configuration = SimulatorConfiguration(count: count)
    configuration.accept = true
    let simulator: Simulator
    do {
      simulator = try Simulator(
        server: url, configuration: configuration, transport: credentials?.transport,
        bearerToken: credentials?.token)
    } catch {
      throw StartupError("--simulated-wecs: \(error)")
    }
    simulator.start()
    return simulator
  }
}
