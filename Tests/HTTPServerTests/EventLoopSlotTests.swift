import Glibc
import Testing

@testable import HTTPServer

/// Tokens name a slot and a generation: a deregistered channel's token never reaches the
/// channel registered into its slot afterwards.
@Suite struct EventLoopSlotTests {
  final class Channel: EventLoopChannel {
    var events: [UInt32] = []
    func handleEvents(_ events: UInt32) { self.events.append(events) }
  }

  @Test func reusedSlotsGetNewTokens() throws {
    let loop = try EventLoop(index: 0)
    var fds: [Int32] = [0, 0]
    try #require(pipe(&fds) == 0)
    defer {
      close(fds[0])
      close(fds[1])
    }
    let first = try #require(loop.register(Channel(), fd: fds[0], events: 1))
    loop.deregister(fd: fds[0], token: first)
    let second = try #require(loop.register(Channel(), fd: fds[0], events: 1))
    #expect(second & 0xFFFF_FFFF == first & 0xFFFF_FFFF)
    #expect(second != first)
    #expect(first != 0 && second != 0)
    // A stale deregistration leaves the slot's new owner registered.
    loop.deregister(fd: -1, token: first)
    let third = try #require(loop.register(Channel(), fd: fds[1], events: 4))
    #expect(third & 0xFFFF_FFFF != second & 0xFFFF_FFFF)
  }
}
