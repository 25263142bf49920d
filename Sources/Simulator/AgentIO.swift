import KubeClient

/// A watch an agent started and may stop.
public protocol WatchHandle: AnyObject {
  func stop()
}

extension WatchStream: WatchHandle {}

/// What an agent needs from the outside world: requests, timers, watches. The live
/// implementation runs everything on the agent's client loop; tests substitute a scripted one.
/// All callbacks arrive on the agent's thread (its loop), one at a time.
public protocol AgentIO: AnyObject {
  func send(_ request: ClientRequest, _ completion: @escaping (ClientResult) -> Void)
  /// Runs `work` after `nanos`.
  func after(nanos: UInt64, _ work: @escaping () -> Void)
  /// Lists and watches `collection`; nil when the fleet's shared watches feed this agent instead.
  func watch(
    collection: String, selectors: [String], _ handler: @escaping (WatchUpdate) -> Void
  ) -> WatchHandle?
  /// A random number in 0..<1 (lease jitter).
  func random() -> Double
}

/// The live `AgentIO`: one client loop, its pool, per-agent watches unless shared.
final class LiveAgentIO: AgentIO {
  let client: KubeClient
  let loop: ClientLoop
  let sharedWatches: Bool

  init(client: KubeClient, loop: ClientLoop, sharedWatches: Bool) {
    self.client = client
    self.loop = loop
    self.sharedWatches = sharedWatches
  }

  func send(_ request: ClientRequest, _ completion: @escaping (ClientResult) -> Void) {
    client.send(request, on: loop, completion)
  }

  func after(nanos: UInt64, _ work: @escaping () -> Void) {
    loop.schedule(afterNanos: nanos, work)
  }

  func watch(
    collection: String, selectors: [String], _ handler: @escaping (WatchUpdate) -> Void
  ) -> WatchHandle? {
    if sharedWatches { return nil }
    let stream = WatchStream(
      client: client, loop: loop, collection: collection, selectors: selectors, handler: handler)
    stream.start()
    return stream
  }

  func random() -> Double { Double.random(in: 0..<1) }
}
