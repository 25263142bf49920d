import Glibc
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
///
/// Cost: one dictionary lookup of the identity per admission; the ticket refers to the
/// identity's counter, so releasing hashes nothing. Counters of identities holding nothing stay
/// in the table (no insert and remove per request) until it grows past `pruneThreshold`.
///
/// `peak(_:)` is what kube reports as `apiserver_current_inflight_requests`: the highest count
/// in flight during the last whole one-second window (kube's `requestWatermark`, sampled each
/// second in `server/filters/maxinflight.go`; kube restarts each window at 0, which reports 0
/// for a request held through a whole quiet second — here the window starts at the count in
/// flight). Windows roll over lazily when a slot is taken or given back or the peak is read.
public final class InflightLimiter: Sendable {
  /// Monotonic nanoseconds (injectable for tests).
  public typealias Clock = @Sendable () -> UInt64

  /// Which budget a request draws from (kube's `request_kind` label values).
  public enum Kind: String, Sendable {
    case readOnly, mutating
  }

  /// One identity's slots in one budget. Invariant: read and written only under the limiter's
  /// lock (hence `@unchecked Sendable`).
  final class Holder: @unchecked Sendable {
    var count = 0
  }

  /// What `acquire` hands out; `release()` gives the slot back once (later calls do nothing).
  public final class Ticket: Sendable {
    let kind: Kind
    let holder: Holder
    private let limiter: InflightLimiter
    private let released = Atomic<Bool>(false)

    init(kind: Kind, holder: Holder, limiter: InflightLimiter) {
      self.kind = kind
      self.holder = holder
      self.limiter = limiter
    }

    public func release() {
      guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
      limiter.give(kind, holder)
    }
  }

  /// Who holds slots: a user name, plus the client's host for names every client without
  /// credentials shares (empty otherwise). Two small strings, hashed without being joined.
  struct Identity: Hashable {
    var name: String
    var host: String
  }

  struct Pool {
    let limit: Int
    var total = 0
    /// Identities holding at least one slot.
    var holders = 0
    var held: [Identity: Holder] = [:]
    /// The identity admitted last and its counter (also in `held`): a client that keeps
    /// sending is found without hashing its identity. Cleared whenever `held` is pruned.
    var last: (identity: Identity, holder: Holder)?
    var rejected: UInt64 = 0
    /// Highest `total` in the window that began at `windowStart`, and in the one before.
    var peak = 0
    var lastPeak = 0
    var windowStart: UInt64 = 0

    /// Closes the windows that ended by `now`. Call before changing `total`: until now the
    /// count has been `total` since the last event.
    mutating func roll(to now: UInt64) {
      guard now > windowStart else { return }
      let elapsed = now - windowStart
      guard elapsed >= InflightLimiter.window else { return }
      // With no event in the last whole window the count stayed at `total` all through it.
      lastPeak = elapsed < 2 * InflightLimiter.window ? peak : total
      windowStart = now - elapsed % InflightLimiter.window
      peak = total
    }

    /// Slots kept for identities that hold none (0 when unlimited or a budget of one).
    var reserve: Int { limit >= 2 ? max(1, limit / 4) : 0 }

    /// The identity's counter if it is admitted (created on first use), else nil.
    mutating func take(_ identity: Identity, privileged: Bool, now: UInt64) -> Holder? {
      roll(to: now)
      let existing: Holder?
      let cached = last.map { $0.identity == identity } ?? false
      if cached {
        existing = last?.holder
      } else {
        existing = held[identity]
      }
      let mine = existing?.count ?? 0
      if limit > 0 && !privileged {
        let share = max(1, (limit - reserve) / (holders + (mine == 0 ? 1 : 0)))
        guard total < limit, mine < share else {
          rejected &+= 1
          return nil
        }
      }
      let holder: Holder
      if let existing {
        holder = existing
      } else {
        holder = Holder()
        held[identity] = holder
      }
      if !cached { last = (identity, holder) }
      if holder.count == 0 { holders += 1 }
      holder.count += 1
      total += 1
      peak = max(peak, total)
      return holder
    }

    mutating func give(_ holder: Holder, now: UInt64) {
      roll(to: now)
      total -= 1
      holder.count -= 1
      guard holder.count == 0 else { return }
      holders -= 1
      if held.count > InflightLimiter.pruneThreshold && held.count > 2 * holders {
        held = held.filter { $0.value.count > 0 }
        last = nil
      }
    }
  }

  /// Counters of idle identities are dropped once the table holds more than this many (and
  /// more than twice the active ones, so pruning is amortized).
  static let pruneThreshold = 1024
  /// kube's `inflightUsageMetricUpdatePeriod`.
  static let window: UInt64 = 1_000_000_000

  private let pools: Mutex<(readOnly: Pool, mutating: Pool)>
  private let clock: Clock

  /// A limit of 0 disables that budget (kube's meaning of 0 for these flags).
  public init(maxReadOnly: Int, maxMutating: Int, clock: @escaping Clock = InflightLimiter.now) {
    self.clock = clock
    let start = clock()
    pools = Mutex(
      (
        Pool(limit: maxReadOnly, windowStart: start),
        Pool(limit: maxMutating, windowStart: start)
      ))
  }

  /// CLOCK_MONOTONIC_COARSE: a few nanoseconds per read, millisecond resolution (ample for
  /// one-second windows).
  public static func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
  }

  /// A slot for `identity` (from `host`, when clients sharing the name are told apart by their
  /// address), or nil when the request must be rejected with 429.
  public func acquire(_ kind: Kind, identity: String, host: String = "", privileged: Bool = false)
    -> Ticket?
  {
    take(kind, identity: identity, host: host, privileged: privileged).map { ticket(kind, for: $0) }
  }

  /// `acquire` without the ticket: the caller gives the slot back exactly once with `give`
  /// (or hands it to `ticket(_:for:)`). For requests answered before the handler returns, where
  /// a ticket would be one allocation per request for nothing.
  func take(_ kind: Kind, identity: String, host: String = "", privileged: Bool = false)
    -> Holder?
  {
    let identity = Identity(name: identity, host: host)
    let now = clock()
    return pools.withLock { p -> Holder? in
      kind == .readOnly
        ? p.readOnly.take(identity, privileged: privileged, now: now)
        : p.mutating.take(identity, privileged: privileged, now: now)
    }
  }

  /// A ticket owning a slot from `take`: its `release()` gives the slot back once.
  func ticket(_ kind: Kind, for holder: Holder) -> Ticket {
    Ticket(kind: kind, holder: holder, limiter: self)
  }

  /// Gives back a slot from `take` (once).
  func give(_ kind: Kind, _ holder: Holder) {
    let now = clock()
    pools.withLock { p in
      if kind == .readOnly {
        p.readOnly.give(holder, now: now)
      } else {
        p.mutating.give(holder, now: now)
      }
    }
  }

  /// Requests in flight now, per budget.
  public func inflight(_ kind: Kind) -> Int {
    pools.withLock { kind == .readOnly ? $0.readOnly.total : $0.mutating.total }
  }

  /// The most requests in flight at once during the last whole second, per budget (kube's
  /// `apiserver_current_inflight_requests`).
  public func peak(_ kind: Kind) -> Int {
    let now = clock()
    return pools.withLock { p in
      if kind == .readOnly {
        p.readOnly.roll(to: now)
        return p.readOnly.lastPeak
      }
      p.mutating.roll(to: now)
      return p.mutating.lastPeak
    }
  }

  /// Requests rejected so far, per budget.
  public func rejected(_ kind: Kind) -> UInt64 {
    pools.withLock { kind == .readOnly ? $0.readOnly.rejected : $0.mutating.rejected }
  }

  /// Slots `identity` (from `host`) holds now in one budget (tests, debugging).
  public func held(_ kind: Kind, identity: String, host: String = "") -> Int {
    let key = Identity(name: identity, host: host)
    return pools.withLock { (kind == .readOnly ? $0.readOnly : $0.mutating).held[key]?.count ?? 0 }
  }
}
