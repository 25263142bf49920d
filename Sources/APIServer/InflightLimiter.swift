import Synchronization

/// kube-apiserver's `--max-requests-inflight` / `--max-mutating-requests-inflight` with a
/// per-identity share, so one noisy client cannot take the whole budget.
///
/// "In flight" here: from the moment the handler is called with a parsed request until its
/// response is handed to the connection (for a deferred response, until the responder is
/// called). A connection parses its next pipelined request only after the previous response is
/// out, so a client pipelining many requests on one connection holds at most one slot; clients
/// get concurrency only from more connections. Long-running requests (watches) are not counted,
/// as in kube; neither are `/healthz`, `/livez`, `/readyz` and `/metrics`.
///
/// Fairness: a quarter of each budget (at least one slot, for budgets of two or more) is held
/// back for identities that hold nothing yet, and the rest is split evenly between the
/// identities holding slots. So a newcomer is admitted at once even while another identity
/// floods, and identities that all want more converge on equal shares. Members of
/// `system:masters` are never rejected (kube's exception for the privileged group).
public final class InflightLimiter: Sendable {
  /// Which budget a request draws from (kube's `request_kind` label values).
  public enum Kind: String, Sendable {
    case readOnly, mutating
  }

  /// What `acquire` hands out; `release()` gives the slot back once (later calls do nothing).
  public final class Ticket: Sendable {
    let kind: Kind
    let identity: String
    private let limiter: InflightLimiter
    private let released = Atomic<Bool>(false)

    init(kind: Kind, identity: String, limiter: InflightLimiter) {
      self.kind = kind
      self.identity = identity
      self.limiter = limiter
    }

    public func release() {
      guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
      limiter.release(kind: kind, identity: identity)
    }
  }

  struct Pool {
    let limit: Int
    var total = 0
    var held: [String: Int] = [:]
    var rejected: UInt64 = 0

    /// Slots kept for identities that hold none (0 when unlimited or a budget of one).
    var reserve: Int { limit >= 2 ? max(1, limit / 4) : 0 }

    func admits(_ identity: String) -> Bool {
      guard limit > 0 else { return true }
      guard total < limit else { return false }
      let mine = held[identity] ?? 0
      let holders = held.count + (mine == 0 ? 1 : 0)
      let share = max(1, (limit - reserve) / holders)
      return mine < share
    }
  }

  private let pools: Mutex<(readOnly: Pool, mutating: Pool)>

  /// A limit of 0 disables that budget (kube's meaning of 0 for these flags).
  public init(maxReadOnly: Int, maxMutating: Int) {
    pools = Mutex((Pool(limit: maxReadOnly), Pool(limit: maxMutating)))
  }

  /// A slot for `identity`, or nil when the request must be rejected with 429.
  public func acquire(_ kind: Kind, identity: String, privileged: Bool = false) -> Ticket? {
    let admitted = pools.withLock { p -> Bool in
      kind == .readOnly
        ? Self.take(&p.readOnly, identity, privileged)
        : Self.take(&p.mutating, identity, privileged)
    }
    return admitted ? Ticket(kind: kind, identity: identity, limiter: self) : nil
  }

  private static func take(_ pool: inout Pool, _ identity: String, _ privileged: Bool) -> Bool {
    guard privileged || pool.admits(identity) else {
      pool.rejected &+= 1
      return false
    }
    pool.total += 1
    pool.held[identity, default: 0] += 1
    return true
  }

  fileprivate func release(kind: Kind, identity: String) {
    pools.withLock { p in
      if kind == .readOnly {
        Self.give(&p.readOnly, identity)
      } else {
        Self.give(&p.mutating, identity)
      }
    }
  }

  private static func give(_ pool: inout Pool, _ identity: String) {
    pool.total -= 1
    let left = (pool.held[identity] ?? 1) - 1
    pool.held[identity] = left > 0 ? left : nil
  }

  /// Requests in flight now, per budget.
  public func inflight(_ kind: Kind) -> Int {
    pools.withLock { kind == .readOnly ? $0.readOnly.total : $0.mutating.total }
  }

  /// Requests rejected so far, per budget.
  public func rejected(_ kind: Kind) -> UInt64 {
    pools.withLock { kind == .readOnly ? $0.readOnly.rejected : $0.mutating.rejected }
  }

  /// Slots `identity` holds now in one budget (tests, debugging).
  public func held(_ kind: Kind, identity: String) -> Int {
    pools.withLock { (kind == .readOnly ? $0.readOnly : $0.mutating).held[identity] ?? 0 }
  }
}
