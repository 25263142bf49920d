import JSON
import KubeClient
import Simulator

/// A scripted `AgentIO`: requests wait in `pending` until the test answers them; timers and
/// watches are recorded. Everything runs on the test's thread.
final class FakeAgentIO: AgentIO {
  struct Pending {
    var request: ClientRequest
    var completion: (ClientResult) -> Void
    var json: JSONValue? { request.body.flatMap { try? JSONParser.parse($0) } }
  }

  final class FakeWatch: WatchHandle {
    let collection: String
    let selectors: [String]
    let handler: (WatchUpdate) -> Void
    var stopped = false
    init(_ c: String, _ s: [String], _ h: @escaping (WatchUpdate) -> Void) {
      collection = c
      selectors = s
      handler = h
    }
    func stop() { stopped = true }
  }

  var pending: [Pending] = []
  var timers: [(nanos: UInt64, work: () -> Void)] = []
  var watches: [FakeWatch] = []
  var randomValue = 0.5

  func send(_ request: ClientRequest, _ completion: @escaping (ClientResult) -> Void) {
    pending.append(Pending(request: request, completion: completion))
  }

  func after(nanos: UInt64, _ work: @escaping () -> Void) { timers.append((nanos, work)) }

  func watch(
    collection: String, selectors: [String], _ handler: @escaping (WatchUpdate) -> Void
  ) -> WatchHandle? {
    let w = FakeWatch(collection, selectors, handler)
    watches.append(w)
    return w
  }

  func random() -> Double { randomValue }

  /// Removes and returns the oldest pending request (fails the test's expectations if none).
  func next() -> Pending? { pending.isEmpty ? nil : pending.removeFirst() }

  /// Answers `p` with `status` and `body`.
  func answer(_ p: Pending, _ status: Int, _ body: JSONValue? = nil) {
    p.completion(.success(ClientResponse(status: status, body: body?.serialized() ?? [])))
  }

  /// Runs and clears the recorded timers.
  func fireTimers() {
    let t = timers
    timers = []
    for (_, work) in t { work() }
  }
}
