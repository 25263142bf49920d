import Synchronization
import Testing

@testable import APIServer

@Suite struct InflightLimiterTests {
  @Test func budgetsAreSeparateAndSlotsComeBack() {
    let limiter = InflightLimiter(maxReadOnly: 4, maxMutating: 4)
    // Four identities, one slot each: the read-only budget fills up.
    let held = (0..<4).compactMap { limiter.acquire(.readOnly, identity: "u\($0)") }
    #expect(held.count == 4)
    #expect(limiter.acquire(.readOnly, identity: "u9") == nil)
    #expect(limiter.rejected(.readOnly) == 1)
    // The mutating budget is untouched.
    #expect(limiter.acquire(.mutating, identity: "u9") != nil)
    held[0].release()
    held[0].release()  // a second release gives nothing back twice
    #expect(limiter.inflight(.readOnly) == 3)
    #expect(limiter.acquire(.readOnly, identity: "u9") != nil)
    #expect(limiter.acquire(.readOnly, identity: "u8") == nil)
  }

  @Test func aFloodingIdentityLeavesRoomForANewcomer() {
    let limiter = InflightLimiter(maxReadOnly: 8, maxMutating: 8)
    var flood: [InflightLimiter.Ticket] = []
    while let t = limiter.acquire(.readOnly, identity: "noisy") { flood.append(t) }
    // A quarter (2 of 8) is held back from a lone identity.
    #expect(flood.count == 6)
    // Someone else is served at once.
    let other = limiter.acquire(.readOnly, identity: "quiet")
    #expect(other != nil)
    // With two holders each share is (8 - 2) / 2 = 3: the noisy one gets nothing more until it
    // is below its share, while the quiet one may grow to its share.
    for t in flood.prefix(3) { t.release() }
    #expect(limiter.acquire(.readOnly, identity: "noisy") == nil)
    #expect(limiter.acquire(.readOnly, identity: "quiet") != nil)
    #expect(limiter.acquire(.readOnly, identity: "quiet") != nil)
    #expect(limiter.acquire(.readOnly, identity: "quiet") == nil)
    #expect(limiter.held(.readOnly, identity: "noisy") == 3)
    #expect(limiter.held(.readOnly, identity: "quiet") == 3)
  }

  @Test func smallestUsefulBudgetStillServesTwoIdentities() {
    let limiter = InflightLimiter(maxReadOnly: 2, maxMutating: 2)
    let a = limiter.acquire(.readOnly, identity: "a")
    #expect(a != nil)
    #expect(limiter.acquire(.readOnly, identity: "a") == nil)
    #expect(limiter.acquire(.readOnly, identity: "b") != nil)
    #expect(limiter.acquire(.readOnly, identity: "c") == nil)
  }

  /// The limiter remembers the identity admitted last; hosts must still tell clients sharing a
  /// name apart, and pruning idle counters must not leave a stale one behind.
  @Test func lastIdentityShortcutKeepsCountsExact() {
    let limiter = InflightLimiter(maxReadOnly: 0, maxMutating: 0)
    let a = limiter.take(.readOnly, identity: "system:anonymous", host: "h1")
    let b = limiter.take(.readOnly, identity: "system:anonymous", host: "h2")
    let a2 = limiter.take(.readOnly, identity: "system:anonymous", host: "h1")
    #expect(limiter.held(.readOnly, identity: "system:anonymous", host: "h1") == 2)
    #expect(limiter.held(.readOnly, identity: "system:anonymous", host: "h2") == 1)
    for slot in [a, b, a2] { if let slot { limiter.give(.readOnly, slot) } }
    // A fresh table: the give of the last of pruneThreshold + 1 idle identities prunes them
    // all, that one included; taking it again must count in the table, not in a stale counter.
    let fresh = InflightLimiter(maxReadOnly: 0, maxMutating: 0)
    for i in 0...InflightLimiter.pruneThreshold {
      if let slot = fresh.take(.readOnly, identity: "idle\(i)") { fresh.give(.readOnly, slot) }
    }
    let last = "idle\(InflightLimiter.pruneThreshold)"
    let again = fresh.take(.readOnly, identity: last)
    #expect(fresh.held(.readOnly, identity: last) == 1)
    #expect(fresh.inflight(.readOnly) == 1)
    if let again { fresh.give(.readOnly, again) }
    #expect(fresh.held(.readOnly, identity: last) == 0)
  }

  @Test func privilegedAndUnlimited() {
    let limiter = InflightLimiter(maxReadOnly: 1, maxMutating: 0)
    let first = limiter.acquire(.readOnly, identity: "a")
    #expect(first != nil)
    #expect(limiter.acquire(.readOnly, identity: "b") == nil)
    #expect(limiter.acquire(.readOnly, identity: "admin", privileged: true) != nil)
    for _ in 0..<1000 { #expect(limiter.acquire(.mutating, identity: "a") != nil) }
  }

  /// kube's `apiserver_current_inflight_requests`: the most in flight during the last whole
  /// second, not the count right now.
  @Test func peakIsTheMaximumOverTheLastWholeSecond() {
    let time = ManualClock()
    func advance(ms: UInt64) { time.nanos.add(ms * 1_000_000, ordering: .relaxed) }
    let limiter = InflightLimiter(maxReadOnly: 0, maxMutating: 0) {
      time.nanos.load(ordering: .relaxed)
    }
    #expect(limiter.peak(.readOnly) == 0)
    // Three requests at once, all back within the first second.
    let burst = (0..<3).compactMap { limiter.acquire(.readOnly, identity: "u\($0)") }
    let write = limiter.acquire(.mutating, identity: "w")
    advance(ms: 300)
    for t in burst { t.release() }
    #expect(limiter.inflight(.readOnly) == 0)
    // The window is not over yet: the last whole second (before start-up) saw nothing.
    #expect(limiter.peak(.readOnly) == 0)
    advance(ms: 750)
    // Nothing in flight now, but three were during the second that just ended.
    #expect(limiter.inflight(.readOnly) == 0)
    #expect(limiter.peak(.readOnly) == 3)
    #expect(limiter.peak(.mutating) == 1)
    // A quiet second later the peak falls back to what stayed in flight.
    advance(ms: 1000)
    #expect(limiter.peak(.readOnly) == 0)
    #expect(limiter.peak(.mutating) == 1)
    // Long quiet stretches: the count held through them, released at last.
    advance(ms: 5_500)
    #expect(limiter.peak(.mutating) == 1)
    write?.release()
    #expect(limiter.peak(.mutating) == 1)
    advance(ms: 1000)
    #expect(limiter.peak(.mutating) == 1)
    advance(ms: 1000)
    #expect(limiter.peak(.mutating) == 0)
  }
}

/// A clock that moves only when told.
final class ManualClock: Sendable {
  let nanos = Atomic<UInt64>(10_000_000_000)
}
